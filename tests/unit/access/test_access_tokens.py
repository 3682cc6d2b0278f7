"""Access tokens: signed by intake's key, verified by any service's key ring, refused when anything is off."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.access_tokens import (
    CLAIMS_READ,
    ENCOUNTERS_WRITE,
    InvalidAccessToken,
    OAuthClientRevoked,
    SigningKey,
    SigningKeyRing,
    looks_like_jwt,
)
from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS

SCOPES = frozenset({CLAIMS_READ})


def ring_knowing(*keys: SigningKey) -> SigningKeyRing:
    """A ring fed the keys' announcements the way the tenants topic feeds it."""
    ring = SigningKeyRing()
    for key in keys:
        event = key.announcement()
        ring.apply(EventEnvelope(type=event.event_type, source="intake", subject=key.kid, tenant_id="*",
                                 schema_version=event.version, data=event.model_dump(mode="json")))
    return ring


def test_a_token_verifies_with_its_tenant_client_and_scopes():
    key = SigningKey.from_setting("")
    token, issued = key.sign("tenant-a", "clc_1", frozenset({CLAIMS_READ, ENCOUNTERS_WRITE}), 900)
    claims = ring_knowing(key).verify(token)
    assert (claims.tenant_id, claims.client_id, claims.scopes) == ("tenant-a", "clc_1",
                                                                  frozenset({CLAIMS_READ, ENCOUNTERS_WRITE}))
    assert claims.token_id == issued.token_id and len(claims.token_id) == 32
    lifetime = claims.expires_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=14) < lifetime <= dt.timedelta(minutes=15)


def test_the_token_names_its_key_and_carries_the_standard_claims():
    key = SigningKey.from_setting("")
    token, _ = key.sign("tenant-a", "clc_1", SCOPES, 900)
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}
    payload = jwt.decode(token, options={"verify_signature": False})
    assert {"iss", "aud", "sub", "exp", "iat", "nbf", "jti", "scope", "tenant_id", "client_id"} <= set(payload)
    assert payload["exp"] - payload["iat"] == 900 and payload["scope"] == CLAIMS_READ


def test_a_configured_seed_gives_the_same_key_every_time():
    seed = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
    assert SigningKey.from_setting(seed).kid == SigningKey.from_setting(seed).kid
    assert SigningKey.from_setting("").kid != SigningKey.from_setting("").kid


def test_an_expired_token_is_refused():
    key = SigningKey.from_setting("")
    token, _ = key.sign("tenant-a", "clc_1", SCOPES, 900, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    with pytest.raises(InvalidAccessToken, match="expired"):
        ring_knowing(key).verify(token)


def test_a_token_from_an_unannounced_key_is_refused():
    token, _ = SigningKey.from_setting("").sign("tenant-a", "clc_1", SCOPES, 900)
    with pytest.raises(InvalidAccessToken, match="unknown key"):
        ring_knowing(SigningKey.from_setting("")).verify(token)


def test_a_token_signed_by_another_key_under_a_known_kid_is_refused():
    known = SigningKey.from_setting("")
    forger = SigningKey(Ed25519PrivateKey.generate(), known.kid)
    token, _ = forger.sign("tenant-a", "clc_1", SCOPES, 900)
    with pytest.raises(InvalidAccessToken, match="not valid"):
        ring_knowing(known).verify(token)


def test_a_tampered_payload_is_refused():
    key = SigningKey.from_setting("")
    token, _ = key.sign("tenant-a", "clc_1", SCOPES, 900)
    header, payload, signature = token.split(".")
    other, _ = key.sign("tenant-b", "clc_1", SCOPES, 900)
    with pytest.raises(InvalidAccessToken):
        ring_knowing(key).verify(".".join((header, other.split(".")[1], signature)))


@pytest.mark.parametrize("algorithm_trick", ["none", "HS256"])
def test_algorithm_substitution_is_refused(algorithm_trick):
    key = SigningKey.from_setting("")
    payload = jwt.decode(key.sign("tenant-a", "clc_1", SCOPES, 900)[0], options={"verify_signature": False})
    secret = "" if algorithm_trick == "none" else "a-guessed-shared-secret-of-32-bytes!"
    forged = jwt.encode(payload, secret if algorithm_trick == "HS256" else None, algorithm=algorithm_trick,
                        headers={"kid": key.kid})
    with pytest.raises(InvalidAccessToken):
        ring_knowing(key).verify(forged)


def test_a_wrong_audience_or_issuer_is_refused():
    key = SigningKey.from_setting("")
    payload = jwt.decode(key.sign("tenant-a", "clc_1", SCOPES, 900)[0], options={"verify_signature": False})
    for change in ({"aud": "someone-else"}, {"iss": "someone-else"}):
        forged = jwt.encode({**payload, **change}, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
        with pytest.raises(InvalidAccessToken):
            ring_knowing(key).verify(forged)


def test_a_revoked_clients_tokens_are_refused():
    key = SigningKey.from_setting("")
    ring = ring_knowing(key)
    token, _ = key.sign("tenant-a", "clc_gone", SCOPES, 900)
    event = OAuthClientRevoked(client_id="clc_gone", tenant_id="tenant-a")
    ring.apply(EventEnvelope(type=event.event_type, source="intake", subject="clc_gone", tenant_id="tenant-a",
                             schema_version=1, data=event.model_dump(mode="json")))
    with pytest.raises(InvalidAccessToken, match="revoked"):
        ring.verify(token)
    assert ring.verify(key.sign("tenant-a", "clc_other", SCOPES, 900)[0]).client_id == "clc_other"


@pytest.mark.parametrize("garbage", ["a.b.c", "eyJhbGciOiJFZERTQSJ9.e30.", "...", "x.y.z"])
def test_garbage_that_looks_like_a_token_is_refused(garbage):
    with pytest.raises(InvalidAccessToken):
        SigningKeyRing().verify(garbage)


def test_api_keys_never_look_like_tokens():
    from shared.tenancy import new_api_key

    assert not looks_like_jwt(new_api_key()[1])
    assert looks_like_jwt(SigningKey.from_setting("").sign("t", "c", SCOPES, 900)[0])


def test_the_tenants_topic_events_are_registered_contracts():
    assert {"tenant.token_signing_key_published", "tenant.oauth_client_revoked"} <= set(CONTRACTS.current)
