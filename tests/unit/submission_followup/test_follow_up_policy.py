"""When a sent claim is overdue for its 277CA or 835, and when it is due another 276."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from services.submission.domain.follow_up import (
    FollowUpPolicy,
    OutstandingClaim,
    PayerPatience,
    bundled_policy,
    days_outstanding,
    inquiry_due,
    overdue_reason,
    policy_from_json,
)

SENT = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
POLICY = FollowUpPolicy(default=PayerPatience(acknowledgement_days=3, remittance_days=21, reinquiry_days=7),
                        payers={"FAST": PayerPatience(acknowledgement_days=1, remittance_days=10, reinquiry_days=2)})
CLAIM = OutstandingClaim(claim_id="c1", payer_id="OTHER", submission_status="accepted", sent_at=SENT,
                         remittance_posted=False, last_inquiry_at=None)


def _days(days: float) -> dt.datetime:
    return SENT + dt.timedelta(days=days)


@pytest.mark.parametrize(("changes", "now", "expected"), [
    ({}, _days(21), "no_835"),  # accepted, the default 21 days have passed
    ({}, _days(20.9), None),
    ({"submission_status": "sent"}, _days(3), "no_277ca"),  # no 277CA after 3 days
    ({"submission_status": "sent"}, _days(2.9), None),
    ({"payer_id": "FAST"}, _days(10), "no_835"),  # the payer's own patience
    ({"payer_id": "FAST"}, _days(9.9), None),
    ({"remittance_posted": True}, _days(60), None),  # an 835 ends follow-up
    ({"submission_status": "rejected"}, _days(60), None),  # back with the biller
    ({"submission_status": "pending"}, _days(60), None),  # never sent
])
def test_overdue_reason(changes: dict[str, object], now: dt.datetime, expected: str | None) -> None:
    assert overdue_reason(dataclasses.replace(CLAIM, **changes), now, POLICY) == expected


@pytest.mark.parametrize(("last_inquiry_days", "now_days", "expected"), [
    (None, 21, "no_835"),
    (21, 27.9, None),  # asked less than 7 days ago
    (21, 28, "no_835"),  # asked 7 days ago: ask again
    (None, 20, None),  # not overdue: nothing to ask
])
def test_inquiry_due(last_inquiry_days: float | None, now_days: float, expected: str | None) -> None:
    last = _days(last_inquiry_days) if last_inquiry_days is not None else None
    assert inquiry_due(dataclasses.replace(CLAIM, last_inquiry_at=last), _days(now_days), POLICY) == expected


def test_days_outstanding_counts_whole_days() -> None:
    assert days_outstanding(CLAIM, _days(21.5)) == 21 and days_outstanding(CLAIM, _days(-1)) == 0


def test_shortest_wait_covers_every_payer() -> None:
    assert POLICY.shortest_wait == dt.timedelta(days=1)


def test_policy_file_and_validation() -> None:
    bundled = bundled_policy()
    assert bundled.patience("UNLISTED") == PayerPatience(3, 21, 7)
    assert bundled.patience("SIMACK").remittance_days == 14
    assert policy_from_json('{"payers": {"X": {"remittance_days": 30}}}').patience("X") == PayerPatience(3, 30, 7)
    with pytest.raises(ValueError, match="at least one day"):
        PayerPatience(remittance_days=0)
