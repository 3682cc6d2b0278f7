"""Tenants-topic events carry intake's Ed25519 signature; readers accept only what a trusted key signed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.events.envelope import EventEnvelope
from shared.tenant_event_signing import (
    SIGNATURE,
    SIGNATURE_KID,
    TenantEventSignatureError,
    TenantEventSigner,
    TenantEventSigningKeyMissing,
    TenantEventVerifier,
    new_signing_key,
    sign_tenant_event,
    verify_tenant_event,
)


def key_issued(key_hash: str = "a" * 64) -> EventEnvelope:
    return EventEnvelope(type="tenant.api_key_issued", source="intake", subject="k1", tenant_id="t1",
                         schema_version=1, data={"key_id": "k1", "key_hash": key_hash, "tenant_id": "t1"})


def through_kafka(envelope: EventEnvelope) -> EventEnvelope:
    """What a consumer reads back: the headers and JSON value as they travel."""
    return EventEnvelope.from_kafka(envelope.kafka_headers(), envelope.kafka_value())


def test_a_signed_event_verifies_after_the_trip_through_kafka_headers() -> None:
    seed, public = new_signing_key()
    signed = TenantEventSigner.from_seed(seed).sign(key_issued())
    read = through_kafka(signed)
    assert read.extensions[SIGNATURE_KID] == TenantEventSigner.from_seed(seed).kid
    assert TenantEventVerifier([public]).verify(read) == read


@pytest.mark.parametrize(("what", "tamper"), [
    ("the key hash", lambda e: replace(e, data={**e.data, "key_hash": "b" * 64})),
    ("the tenant", lambda e: replace(e, tenant_id="t2")),
    ("the type", lambda e: replace(e, type="tenant.api_key_revoked")),
    ("the event id", lambda e: replace(e, id="another-id")),
    ("the signature", lambda e: replace(e, extensions={**e.extensions, SIGNATURE: "A" * 86})),
])
def test_a_changed_event_no_longer_verifies(what: str, tamper) -> None:  # type: ignore[no-untyped-def]
    seed, public = new_signing_key()
    signed = through_kafka(TenantEventSigner.from_seed(seed).sign(key_issued()))
    with pytest.raises(TenantEventSignatureError, match="does not match"):
        TenantEventVerifier([public]).verify(tamper(signed))


def test_an_unsigned_event_and_one_signed_by_an_untrusted_key_are_refused() -> None:
    _, trusted = new_signing_key()
    forger_seed, _ = new_signing_key()
    with pytest.raises(TenantEventSignatureError, match="not signed"):
        TenantEventVerifier([trusted]).verify(through_kafka(key_issued()))
    forged = through_kafka(TenantEventSigner.from_seed(forger_seed).sign(key_issued()))
    with pytest.raises(TenantEventSignatureError, match="not trusted"):
        TenantEventVerifier([trusted]).verify(forged)


def test_rotation_trusts_both_keys_until_the_old_one_is_retired() -> None:
    old_seed, old_public = new_signing_key()
    new_seed, new_public = new_signing_key()
    by_old = through_kafka(TenantEventSigner.from_seed(old_seed).sign(key_issued()))
    by_new = through_kafka(TenantEventSigner.from_seed(new_seed).sign(key_issued()))
    during = TenantEventVerifier.from_setting(f"{new_public}, {old_public}")
    assert during.verify(by_old) and during.verify(by_new)
    after = TenantEventVerifier.from_setting(new_public)
    assert after.verify(by_new)
    with pytest.raises(TenantEventSignatureError):
        after.verify(by_old)
    # A record announced again under the new key stays valid after the old one is retired.
    assert after.verify(through_kafka(TenantEventSigner.from_seed(new_seed).sign(by_old)))


def test_the_process_signs_and_verifies_with_its_configured_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    seed, public = new_signing_key()
    monkeypatch.delenv("TENANT_EVENTS_SIGNING_KEY", raising=False)
    with pytest.raises(TenantEventSigningKeyMissing):
        sign_tenant_event(key_issued())
    monkeypatch.setenv("TENANT_EVENTS_SIGNING_KEY", seed)
    signed = through_kafka(sign_tenant_event(key_issued()))
    monkeypatch.delenv("TENANT_EVENTS_SIGNING_KEY")
    monkeypatch.setenv("TENANT_EVENTS_TRUSTED_KEYS", public)
    assert verify_tenant_event(signed) == signed
    monkeypatch.setenv("TENANT_EVENTS_TRUSTED_KEYS", "")
    with pytest.raises(TenantEventSignatureError, match="not trusted"):
        verify_tenant_event(signed)  # nothing trusted: nothing applies
