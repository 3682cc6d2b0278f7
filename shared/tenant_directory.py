"""What every process knows about tenants from the tenants topic, in memory: API keys and request budgets.

The tenants topic follower (shared/messaging/tenants_follower.py) reads the compacted topic from its
beginning into this directory and then follows it, so an API key is checked without a database
round trip. A revoked or retired key stays here as a tombstone keyed by its key id: whatever a
fallback read finds later (a projection table that lags, a row read before the revocation landed)
is checked against the tombstones first, so nothing can bring a stopped key back.

Revocation bound: intake's relay publishes its own commits at once and the follower's fetch returns
as soon as a record arrives, so a revocation or retirement is honoured by every process within
REVOCATION_BOUND_SECONDS of the admin call on a healthy cluster (tests/e2e/test_key_lifecycle.py
measures it on all five services).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS, ClaimEvent

REVOCATION_BOUND_SECONDS = 2.0


@dataclass(frozen=True)
class TenantLimits:
    """A tenant's request budget: a sustained rate and a burst."""

    per_second: float
    burst: int


@CONTRACTS.register
class ApiKeyIssued(ClaimEvent):
    """A tenant got a new API key (hash only)."""

    event_type = "tenant.api_key_issued"
    key_id: str
    key_hash: str
    tenant_id: str


@CONTRACTS.register
class ApiKeyRevoked(ClaimEvent):
    """A tenant's API key stops working everywhere."""

    event_type = "tenant.api_key_revoked"
    key_id: str
    tenant_id: str


@CONTRACTS.register
class ApiKeyRetired(ClaimEvent):
    """A tenant's API key stops working everywhere at not_after (rotation: the new key is issued first).

    Carries the hash and tenant like the issue did: it shares the issue's Kafka key, so compaction
    may keep only this record, and a process starting later must still know the key until not_after.
    """

    event_type = "tenant.api_key_retired"
    key_id: str
    key_hash: str
    tenant_id: str
    not_after: dt.datetime


@CONTRACTS.register
class TenantRegistered(ClaimEvent):
    """A tenant exists, with its own request budget or (None) the services' default."""

    event_type = "tenant.registered"
    tenant_id: str
    rate_limit_per_second: float | None = None
    rate_limit_burst: int | None = None


@dataclass(frozen=True)
class KnownKey:
    """A live API key: whose it is, and when it stops working (None: until revoked)."""

    key_id: str
    tenant_id: str
    not_after: dt.datetime | None


class KeyVerdict(Enum):
    UNKNOWN = "unknown"  # not on the topic yet (just issued, or this process just started)
    STOPPED = "stopped"  # revoked, or retired and past its not-after time


class TenantDirectory:
    """API keys by hash with their tombstones, and tenants' request budgets."""

    def __init__(self) -> None:
        self.keys: dict[str, KnownKey] = {}
        self.revoked: set[str] = set()
        self.not_after: dict[str, dt.datetime] = {}
        self.limits: dict[str, TenantLimits] = {}

    def apply(self, envelope: EventEnvelope) -> None:
        """Take in one tenants-topic event; the types that are not about keys or tenants are skipped."""
        if envelope.type == ApiKeyIssued.event_type:
            issued = ApiKeyIssued.model_validate(envelope.data)
            self.learn(issued.key_id, issued.key_hash, issued.tenant_id, None)
        elif envelope.type == ApiKeyRevoked.event_type:
            self.revoked.add(ApiKeyRevoked.model_validate(envelope.data).key_id)
        elif envelope.type == ApiKeyRetired.event_type:
            retired = ApiKeyRetired.model_validate(envelope.data)
            self.learn(retired.key_id, retired.key_hash, retired.tenant_id, retired.not_after)
        elif envelope.type == TenantRegistered.event_type:
            tenant = TenantRegistered.model_validate(envelope.data)
            if tenant.rate_limit_per_second is not None and tenant.rate_limit_burst is not None:
                self.limits[tenant.tenant_id] = TenantLimits(tenant.rate_limit_per_second, tenant.rate_limit_burst)
            else:
                self.limits.pop(tenant.tenant_id, None)

    def learn(self, key_id: str, key_hash: str, tenant_id: str, not_after: dt.datetime | None) -> None:
        """Remember a key (from the topic or a fallback read); an earlier stop time of the key stands."""
        if not_after is not None:
            known = self.not_after.get(key_id)
            self.not_after[key_id] = not_after if known is None else min(known, not_after)
        self.keys[key_hash] = KnownKey(key_id, tenant_id, self.not_after.get(key_id))

    def api_key(self, key_hash: str, now: dt.datetime) -> KnownKey | KeyVerdict:
        """The live key with this hash, or why there is none."""
        known = self.keys.get(key_hash)
        if known is None:
            return KeyVerdict.UNKNOWN
        return known if self.is_live(known.key_id, now) else KeyVerdict.STOPPED

    def is_live(self, key_id: str, now: dt.datetime) -> bool:
        """Neither revoked nor past a retirement: the tombstone check every source of keys passes."""
        if key_id in self.revoked:
            return False
        stops = self.not_after.get(key_id)
        return stops is None or now < stops

    def tenant_limits(self, tenant_id: str) -> TenantLimits | None:
        return self.limits.get(tenant_id)
