"""Write-off approval and work-queue priority (services/denials/domain/write_offs.py, work_queue.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from services.denials.domain.work_queue import priority, should_alert, sla_state
from services.denials.domain.write_offs import SameApprover, WriteOffNotPending, check_decision, needs_approval

LIMIT = Decimal("500.00")


@pytest.mark.parametrize(("amount", "needed"), [
    (Decimal("500.00"), False),
    (Decimal("500.01"), True),
])
def test_approval_is_needed_above_the_limit(amount, needed) -> None:
    assert needs_approval(amount, LIMIT) is needed


def test_another_person_decides_a_pending_write_off() -> None:
    check_decision("pending_approval", "alice", "bob")


@pytest.mark.parametrize(("status", "requester", "approver", "error"), [
    ("pending_approval", "alice", "Alice ", SameApprover),
    ("approved", "alice", "bob", WriteOffNotPending),
])
def test_a_write_off_cannot_be_decided_by_its_requester_or_twice(status, requester, approver, error) -> None:
    with pytest.raises(error):
        check_decision(status, requester, approver)


@pytest.mark.parametrize(("amount", "recoverability", "days", "expected"), [
    (Decimal("100"), 0.8, None, 80.0),
    (Decimal("100"), 0.8, 120, 80.0),  # far away: no urgency
    (Decimal("100"), 0.8, 0, 160.0),  # due today: doubled
    (Decimal("100"), 0.8, -1, 0.0),  # passed: nothing left to gain
])
def test_priority_is_expected_recovery_raised_by_the_deadline(amount, recoverability, days, expected) -> None:
    assert priority(amount, recoverability, days) == expected


def test_a_bigger_likely_recovery_outranks_a_smaller_one() -> None:
    assert priority(Decimal("1000"), 0.45, 90) > priority(Decimal("200"), 0.8, 90)


NOW = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(("due", "state"), [
    (None, "on_track"),
    (NOW + dt.timedelta(days=3), "on_track"),
    (NOW + dt.timedelta(hours=5), "due_soon"),
    (NOW - dt.timedelta(minutes=1), "breached"),
])
def test_sla_state(due, state) -> None:
    assert sla_state(due, NOW) == state


@pytest.mark.parametrize(("days_left", "alerted", "alert"), [
    (14, False, True),
    (15, False, False),
    (3, True, False),
    (-1, False, False),
])
def test_deadline_alerts_fire_once_inside_the_window(days_left, alerted, alert) -> None:
    assert should_alert(days_left, 14, alerted) is alert
