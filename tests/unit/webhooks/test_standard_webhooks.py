"""Standard Webhooks signing and verification (shared/webhooks.py)."""

from __future__ import annotations

import base64

import pytest

from shared.webhooks import (
    VerificationFailure,
    WebhookVerificationError,
    sign,
    signing_key,
    verify,
    webhook_headers,
)

# The reference vector published with the Standard Webhooks libraries.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
NOW = 1_700_000_000


def spec_headers(**overrides: str) -> dict[str, str]:
    headers = {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    headers.update(overrides)
    return headers


def failure_of(secret: str, headers: dict[str, str], body: bytes, **kwargs: int) -> VerificationFailure:
    with pytest.raises(WebhookVerificationError) as caught:
        verify(secret, headers, body, **kwargs)
    return caught.value.reason


def test_sign_matches_the_spec_reference_vector() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_verify_accepts_the_spec_reference_vector() -> None:
    verify(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP + 10)


def test_whsec_secret_is_base64_decoded() -> None:
    assert signing_key("whsec_" + base64.b64encode(b"raw key").decode()) == b"raw key"


def test_plain_secret_is_its_utf8_bytes() -> None:
    assert signing_key("plain sécret") == "plain sécret".encode()


def test_plain_and_prefixed_forms_of_one_key_sign_alike() -> None:
    prefixed = "whsec_" + base64.b64encode(b"shared-key").decode()
    assert sign(prefixed, "msg_1", NOW, b"{}") == sign("shared-key", "msg_1", NOW, b"{}")


def test_bad_base64_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="not valid base64") as caught:
        signing_key("whsec_not base64!")
    assert not isinstance(caught.value, WebhookVerificationError)


def test_webhook_headers_round_trip_through_verify() -> None:
    body = b'{"type": "x12.999"}'
    headers = webhook_headers("s3cret", body, now=NOW)
    assert headers["webhook-id"].startswith("msg_")
    assert headers["webhook-timestamp"] == str(NOW)
    verify("s3cret", headers, body, now=NOW)


def test_webhook_headers_keep_a_given_message_id() -> None:
    headers = webhook_headers("s3cret", b"{}", msg_id="msg_fixed", now=NOW)
    assert headers["webhook-id"] == "msg_fixed"


def test_each_message_gets_a_new_id() -> None:
    assert webhook_headers("s", b"{}")["webhook-id"] != webhook_headers("s", b"{}")["webhook-id"]


def test_header_names_are_case_insensitive() -> None:
    headers = {name.title(): value for name, value in webhook_headers("s", b"x", now=NOW).items()}
    verify("s", headers, b"x", now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header(missing: str) -> None:
    headers = webhook_headers("s", b"x", now=NOW)
    del headers[missing]
    assert failure_of("s", headers, b"x", now=NOW) is VerificationFailure.MISSING_HEADER


def test_empty_header_counts_as_missing() -> None:
    headers = webhook_headers("s", b"x", now=NOW) | {"webhook-signature": " "}
    assert failure_of("s", headers, b"x", now=NOW) is VerificationFailure.MISSING_HEADER


@pytest.mark.parametrize("timestamp", ["abc", "1.5", "-1", "", "１２３"])
def test_bad_timestamp(timestamp: str) -> None:
    headers = spec_headers(**{"webhook-timestamp": timestamp})
    expected = VerificationFailure.MISSING_HEADER if not timestamp else VerificationFailure.BAD_TIMESTAMP
    assert failure_of(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP) is expected


@pytest.mark.parametrize("offset", [301, -301, 10_000])
def test_timestamp_outside_tolerance(offset: int) -> None:
    headers = webhook_headers("s", b"x", now=NOW)
    reason = failure_of("s", headers, b"x", now=NOW + offset)
    assert reason is VerificationFailure.OUTSIDE_TOLERANCE


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_timestamp_at_the_edge_of_tolerance(offset: int) -> None:
    verify("s", webhook_headers("s", b"x", now=NOW), b"x", now=NOW + offset)


def test_tolerance_is_configurable() -> None:
    headers = webhook_headers("s", b"x", now=NOW)
    verify("s", headers, b"x", tolerance_seconds=3600, now=NOW + 3000)
    assert failure_of("s", headers, b"x", tolerance_seconds=5, now=NOW + 6) is (
        VerificationFailure.OUTSIDE_TOLERANCE
    )


def test_tampered_body_has_no_matching_signature() -> None:
    headers = spec_headers()
    reason = failure_of(SPEC_SECRET, headers, b'{"test": 2432232315}', now=SPEC_TIMESTAMP)
    assert reason is VerificationFailure.NO_MATCHING_SIGNATURE


def test_wrong_secret_has_no_matching_signature() -> None:
    headers = webhook_headers("right", b"x", now=NOW)
    assert failure_of("wrong", headers, b"x", now=NOW) is VerificationFailure.NO_MATCHING_SIGNATURE


def test_changed_message_id_has_no_matching_signature() -> None:
    headers = spec_headers(**{"webhook-id": "msg_other"})
    reason = failure_of(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP)
    assert reason is VerificationFailure.NO_MATCHING_SIGNATURE


def test_one_match_among_several_signatures_is_enough() -> None:
    rotated = f"v1,c29tZXRoaW5nIGVsc2U= v1a,ignored {SPEC_SIGNATURE} v2,future"
    verify(SPEC_SECRET, spec_headers(**{"webhook-signature": rotated}), SPEC_BODY, now=SPEC_TIMESTAMP)


def test_signature_of_another_version_does_not_count() -> None:
    other_version = SPEC_SIGNATURE.replace("v1,", "v1a,")
    headers = spec_headers(**{"webhook-signature": other_version})
    reason = failure_of(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP)
    assert reason is VerificationFailure.NO_MATCHING_SIGNATURE


def test_signature_without_version_prefix_does_not_count() -> None:
    bare = SPEC_SIGNATURE.removeprefix("v1,")
    headers = spec_headers(**{"webhook-signature": bare})
    reason = failure_of(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP)
    assert reason is VerificationFailure.NO_MATCHING_SIGNATURE


def test_verification_error_is_a_value_error_naming_the_reason() -> None:
    with pytest.raises(ValueError, match="no_matching_signature"):
        verify("wrong", webhook_headers("right", b"x", now=NOW), b"x", now=NOW)


def test_rotation_accepts_the_old_and_the_new_secret_and_signs_with_the_new() -> None:
    old, new = "whsec_" + "b2xkLXNlY3JldC1rZXktMzItYnl0ZXMtbG9uZyEhISE=", "plain-new-secret"
    body = b'{"type":"x12.835"}'
    rotating = f"{new} {old}"
    verify(rotating, webhook_headers(old, body, now=1_700_000_000), body, now=1_700_000_000)
    verify(rotating, webhook_headers(new, body, now=1_700_000_000), body, now=1_700_000_000)
    signed = webhook_headers(rotating, body, msg_id="msg_1", now=1_700_000_000)
    assert signed == webhook_headers(new, body, msg_id="msg_1", now=1_700_000_000)
    with pytest.raises(WebhookVerificationError):
        verify(new, webhook_headers(old, body, now=1_700_000_000), body, now=1_700_000_000)
