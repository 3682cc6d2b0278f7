"""When a sent claim is overdue for news, and what to ask the payer.

A claim waits first for its 277CA, then for its 835. Each payer gets its own patience (days after the
claim was sent); past it, the claim is overdue and gets a 276 claim status inquiry, then another one
every `reinquiry_days` while nothing changes. An 835 ends follow-up; so does a rejection (the claim
is back with the biller).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

AWAITING_277CA = "no_277ca"
AWAITING_835 = "no_835"
FollowUpReason = Literal["no_277ca", "no_835"]
BUNDLED_SETTINGS = Path(__file__).with_name("follow_up_payers.json")


@dataclass(frozen=True, slots=True)
class PayerPatience:
    """Days a payer gets before we ask: for the 277CA, for the 835, and between inquiries."""

    acknowledgement_days: int = 3
    remittance_days: int = 21
    reinquiry_days: int = 7

    def __post_init__(self) -> None:
        for name in ("acknowledgement_days", "remittance_days", "reinquiry_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least one day")


@dataclass(frozen=True, slots=True)
class FollowUpPolicy:
    """Patience per payer id, with a default for payers not listed."""

    default: PayerPatience = PayerPatience()
    payers: dict[str, PayerPatience] = field(default_factory=dict)

    def patience(self, payer_id: str) -> PayerPatience:
        """The payer's own settings, or the default."""
        return self.payers.get(payer_id, self.default)

    @property
    def shortest_wait(self) -> dt.timedelta:
        """No claim sent more recently than this can be overdue, whatever its payer."""
        every = [self.default, *self.payers.values()]
        return dt.timedelta(days=min(min(p.acknowledgement_days, p.remittance_days) for p in every))


def policy_from_json(text: str) -> FollowUpPolicy:
    """{"default": {...}, "payers": {"SIMACK": {...}}} with PayerPatience fields."""
    raw = json.loads(text)
    return FollowUpPolicy(default=PayerPatience(**raw.get("default", {})),
                          payers={payer: PayerPatience(**values) for payer, values in raw.get("payers", {}).items()})


def bundled_policy() -> FollowUpPolicy:
    """The policy shipped with the service (follow_up_payers.json)."""
    return policy_from_json(BUNDLED_SETTINGS.read_text())


@dataclass(frozen=True, slots=True)
class OutstandingClaim:
    """A sent claim version as follow-up sees it."""

    claim_id: str
    payer_id: str
    submission_status: str  # sent (awaiting 277CA) or accepted (awaiting 835)
    sent_at: dt.datetime
    remittance_posted: bool
    last_inquiry_at: dt.datetime | None


def days_outstanding(claim: OutstandingClaim, now: dt.datetime) -> int:
    """Whole days since the claim was sent."""
    return max((now - claim.sent_at).days, 0)


def overdue_reason(claim: OutstandingClaim, now: dt.datetime, policy: FollowUpPolicy) -> FollowUpReason | None:
    """Why the claim is overdue at `now`, or None when it is not (yet, or any more)."""
    if claim.remittance_posted or claim.submission_status not in ("sent", "accepted"):
        return None
    patience = policy.patience(claim.payer_id)
    if claim.submission_status == "sent":
        reason: FollowUpReason = AWAITING_277CA
        wait = patience.acknowledgement_days
    else:
        reason, wait = AWAITING_835, patience.remittance_days
    return reason if now - claim.sent_at >= dt.timedelta(days=wait) else None


def inquiry_due(claim: OutstandingClaim, now: dt.datetime, policy: FollowUpPolicy) -> FollowUpReason | None:
    """The reason to send a 276 now: overdue, and no inquiry within the payer's re-inquiry interval."""
    reason = overdue_reason(claim, now, policy)
    if reason is None:
        return None
    if claim.last_inquiry_at is not None and now - claim.last_inquiry_at < dt.timedelta(
            days=policy.patience(claim.payer_id).reinquiry_days):
        return None
    return reason
