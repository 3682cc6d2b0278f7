"""What every process remembers from the tenants topic: live API keys, their tombstones, retired signing keys."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.access_tokens import CLAIMS_READ, InvalidAccessToken, SigningKey, SigningKeyRing, TokenSigningKeyRetired
from shared.events.envelope import EventEnvelope
from shared.events.registry import ClaimEvent
from shared.tenant_directory import (
    ApiKeyIssued,
    ApiKeyRetired,
    ApiKeyRevoked,
    KeyVerdict,
    KnownKey,
    TenantDirectory,
    TenantLimits,
    TenantRegistered,
)

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def envelope(event: ClaimEvent, subject: str = "k1") -> EventEnvelope:
    return EventEnvelope(type=event.event_type, source="intake", subject=subject, tenant_id="t1",
                         schema_version=event.version, data=event.model_dump(mode="json"))


def fed(*events: ClaimEvent) -> TenantDirectory:
    directory = TenantDirectory()
    for event in events:
        directory.apply(envelope(event))
    return directory


ISSUED = ApiKeyIssued(key_id="k1", key_hash="h1", tenant_id="t1")


def test_an_issued_key_is_known_by_its_hash_and_an_unheard_of_one_is_unknown():
    directory = fed(ISSUED)
    assert directory.api_key("h1", NOW) == KnownKey("k1", "t1", None)
    assert directory.api_key("h2", NOW) is KeyVerdict.UNKNOWN


def test_a_revoked_key_stays_stopped_whatever_is_learnt_later():
    directory = fed(ISSUED, ApiKeyRevoked(key_id="k1", tenant_id="t1"))
    assert directory.api_key("h1", NOW) is KeyVerdict.STOPPED
    directory.learn("k1", "h1", "t1", None)  # a fallback read from a table that lags behind
    directory.apply(envelope(ISSUED))  # a replayed issue
    assert directory.api_key("h1", NOW) is KeyVerdict.STOPPED


def test_a_revocation_read_before_its_key_still_stops_it():
    directory = fed(ApiKeyRevoked(key_id="k1", tenant_id="t1"))
    directory.learn("k1", "h1", "t1", None)
    assert directory.api_key("h1", NOW) is KeyVerdict.STOPPED


def test_a_retired_key_works_until_not_after_and_an_earlier_end_stands():
    later, sooner = NOW + dt.timedelta(hours=2), NOW + dt.timedelta(hours=1)
    directory = fed(ISSUED, ApiKeyRetired(key_id="k1", key_hash="h1", tenant_id="t1", not_after=sooner),
                    ApiKeyRetired(key_id="k1", key_hash="h1", tenant_id="t1", not_after=later))
    assert directory.api_key("h1", NOW) == KnownKey("k1", "t1", sooner)
    assert directory.api_key("h1", sooner - dt.timedelta(microseconds=1)) != KeyVerdict.STOPPED
    assert directory.api_key("h1", sooner) is KeyVerdict.STOPPED
    directory.learn("k1", "h1", "t1", None)  # a table without the retirement does not lift it
    assert directory.api_key("h1", sooner) is KeyVerdict.STOPPED


def test_a_retirement_alone_tells_a_late_starter_the_whole_key():
    # Compaction may leave only the retirement, which shares the issue's Kafka key.
    not_after = NOW + dt.timedelta(minutes=5)
    directory = fed(ApiKeyRetired(key_id="k1", key_hash="h1", tenant_id="t1", not_after=not_after))
    assert directory.api_key("h1", NOW) == KnownKey("k1", "t1", not_after)


def test_a_tenants_budget_is_known_until_it_goes_back_to_the_default():
    directory = fed(TenantRegistered(tenant_id="t1", rate_limit_per_second=0.5, rate_limit_burst=2))
    assert directory.tenant_limits("t1") == TenantLimits(0.5, 2)
    assert directory.tenant_limits("t2") is None
    directory.apply(envelope(TenantRegistered(tenant_id="t1")))
    assert directory.tenant_limits("t1") is None


def test_a_retired_signing_key_stops_verifying_and_a_re_announcement_does_not_revive_it():
    key = SigningKey.from_setting("")
    ring = SigningKeyRing()
    announcement = key.announcement()
    ring.apply(envelope(announcement, f"signing-key:{key.kid}"))
    token, _ = key.sign("t1", "clc_1", frozenset({CLAIMS_READ}), 900)
    assert ring.verify(token).tenant_id == "t1"
    retired = TokenSigningKeyRetired(kid=key.kid, not_after=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    ring.apply(envelope(retired, f"signing-key-retired:{key.kid}"))
    with pytest.raises(InvalidAccessToken, match="retired"):
        ring.verify(token)
    ring.apply(envelope(announcement, f"signing-key:{key.kid}"))
    with pytest.raises(InvalidAccessToken, match="retired"):
        ring.verify(token)


def test_a_signing_key_retired_ahead_still_verifies_until_then():
    key = SigningKey.from_setting("")
    ring = SigningKeyRing()
    ring.add(key.kid, key.announcement().public_key)
    ring.retire(key.kid, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15))
    token, _ = key.sign("t1", "clc_1", frozenset({CLAIMS_READ}), 900)
    assert ring.verify(token).client_id == "clc_1"
    assert not ring.is_retired(key.kid)
