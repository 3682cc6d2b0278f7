"""Outbound webhooks to practice-management systems: endpoints, the status-change payload, the retry rules.

A tenant registers endpoints; every change of one of its claims' status becomes one delivery per
subscribed endpoint, signed with the endpoint's own secret (Standard Webhooks). A delivery keeps
its webhook-id across retries and replays, so receivers can drop duplicates. The payload carries
ids and statuses only, never PHI.

Endpoint secrets are stored as issued, unlike API keys: HMAC is symmetric, and making a signature
needs the key itself (a hash could only check one). Encrypting them at rest is the next step.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import secrets
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.errors import DomainError
from shared.webhooks import SECRET_PREFIX

STATUS_CHANGED = "claim.status_changed"
# Claim events forwarded as they are (ids, dates and amounts only), besides status changes.
APPEAL_DEADLINE_APPROACHING = "claim.appeal_deadline_approaching"
FORWARDED_FIELDS = {APPEAL_DEADLINE_APPROACHING: ("denial_id", "appeal_id", "level", "deadline", "days_left")}
EVENT_TYPES = (STATUS_CHANGED, APPEAL_DEADLINE_APPROACHING)
SECRET_BYTES = 32  # Standard Webhooks asks for 24 to 64 random bytes
# After a rotation the old secret keeps signing beside the new one, so receivers can switch over.
PREVIOUS_SECRET_GRACE = dt.timedelta(hours=24)


class EndpointNotFound(DomainError):
    """The tenant has no webhook endpoint with this id."""

    def __init__(self, endpoint_id: str):
        super().__init__(f"no webhook endpoint {endpoint_id} for this tenant")


class TooManyEndpoints(DomainError):
    """The tenant has registered as many endpoints as it may; one must go before another comes."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"a tenant may register at most {limit} webhook endpoints; delete one first")


class DeliveryNotFound(DomainError):
    """The tenant has no webhook delivery with this id."""

    def __init__(self, delivery_id: str):
        super().__init__(f"no webhook delivery {delivery_id} for this tenant")


class DeliveryStillPending(DomainError):
    """Only a delivered, expired or cancelled delivery can be replayed."""

    def __init__(self, delivery_id: str):
        super().__init__(f"webhook delivery {delivery_id} is still pending; it will be sent without a replay")


class EndpointDisabled(DomainError):
    """The endpoint answered 410 Gone and no longer receives deliveries."""

    def __init__(self, endpoint_id: str):
        super().__init__(f"webhook endpoint {endpoint_id} is disabled (it answered 410 Gone); register it again")


class EndpointStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"


class DeliveryStatus(StrEnum):
    """pending until delivered; expired when the retry window ran out; cancelled when its endpoint went."""

    PENDING = "pending"
    DELIVERED = "delivered"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


def new_endpoint_id() -> str:
    return f"ep_{uuid.uuid4().hex}"


def new_endpoint_secret() -> str:
    """A fresh signing secret in the Standard Webhooks form whsec_<base64 key>."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def new_delivery_id() -> str:
    """The delivery's webhook-id; it never changes across retries and replays."""
    return f"msg_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class StatusChange:
    """A claim moved from one status to another because of one event (ids and statuses only)."""

    tenant_id: str
    claim_id: str
    external_id: str
    status: str
    previous_status: str | None
    event_type: str
    event_id: str
    occurred_at: dt.datetime


def status_changed_payload(change: StatusChange, now: dt.datetime) -> dict[str, Any]:
    """The webhook body for a status change: {"type", "timestamp", "data"}."""
    return {
        "type": STATUS_CHANGED,
        "timestamp": now.isoformat(),
        "data": {
            "claim_id": change.claim_id,
            "external_id": change.external_id,
            "status": change.status,
            "previous_status": change.previous_status,
            "event_type": change.event_type,
            "event_id": change.event_id,
            "occurred_at": change.occurred_at.isoformat(),
        },
    }


def forwarded_event_payload(event_type: str, claim_id: str, event_id: str, occurred_at: dt.datetime,
                            data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The webhook body for a forwarded claim event: its listed fields only, never PHI."""
    fields = {name: data.get(name) for name in FORWARDED_FIELDS[event_type]}
    return {"type": event_type, "timestamp": now.isoformat(),
            "data": {"claim_id": claim_id, "event_id": event_id, "occurred_at": occurred_at.isoformat(), **fields}}


def encode_body(payload: dict[str, Any]) -> str:
    """The exact text sent (and signed) on every attempt."""
    return json.dumps(payload, separators=(",", ":"))


@dataclass(frozen=True)
class DueDelivery:
    """A delivery the dispatcher took to send now, with what it needs to sign and route it."""

    delivery_id: str
    endpoint_id: str
    tenant_id: str
    claim_id: str
    url: str
    body: str
    signing_secrets: tuple[str, ...]  # the current secret first, then one still in its rotation grace
    queued_at: dt.datetime
    window_failures: int
    traceparent: str | None


class Outcome(StrEnum):
    """What one attempt means for its delivery."""

    DELIVERED = "delivered"
    RETRY = "retry"
    EXPIRED = "expired"
    ENDPOINT_GONE = "endpoint_gone"


@dataclass(frozen=True)
class AttemptResult:
    """One HTTP attempt: the status code answered, or the class of the error that stopped it."""

    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential-ish backoff with jitter for at least `window` after a delivery is queued.

    `scale` shrinks every delay and the window alike (tests run the same schedule in seconds).
    """

    delays: tuple[dt.timedelta, ...] = (
        dt.timedelta(seconds=5), dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=10),
        dt.timedelta(minutes=30), dt.timedelta(hours=1), dt.timedelta(hours=2))
    steady_delay: dt.timedelta = dt.timedelta(hours=4)
    window: dt.timedelta = dt.timedelta(hours=24)
    jitter: float = 0.2
    scale: float = 1.0

    def base_delay(self, failed_attempts: int) -> dt.timedelta:
        """The delay before the next try after `failed_attempts` failures in the window (before jitter)."""
        if failed_attempts < 1:
            raise ValueError("failed_attempts starts at 1")
        delay = self.delays[failed_attempts - 1] if failed_attempts <= len(self.delays) else self.steady_delay
        return delay * self.scale

    def delay(self, failed_attempts: int, rng: random.Random | None = None) -> dt.timedelta:
        """The base delay spread by +/- jitter, so endpoints coming back are not hit in lockstep."""
        spread = (rng or random).uniform(1 - self.jitter, 1 + self.jitter)
        return self.base_delay(failed_attempts) * spread

    def window_open(self, queued_at: dt.datetime, now: dt.datetime) -> bool:
        """True while the retry window since queuing is open; the last try may land just after it closes."""
        return now - queued_at < self.window * self.scale


def is_delivered(result: AttemptResult) -> bool:
    return result.status_code is not None and 200 <= result.status_code < 300


def decide(result: AttemptResult, *, queued_at: dt.datetime, failed_attempts_before: int, now: dt.datetime,
           schedule: RetrySchedule, rng: random.Random | None = None) -> tuple[Outcome, dt.datetime | None]:
    """What happens to a delivery after one attempt, and when it is tried next (None: never).

    2xx delivers; 410 Gone means the receiver removed the endpoint; anything else is retried until
    the window closes.
    """
    if is_delivered(result):
        return Outcome.DELIVERED, None
    if result.status_code == 410:
        return Outcome.ENDPOINT_GONE, None
    if not schedule.window_open(queued_at, now):
        return Outcome.EXPIRED, None
    return Outcome.RETRY, now + schedule.delay(failed_attempts_before + 1, rng)
