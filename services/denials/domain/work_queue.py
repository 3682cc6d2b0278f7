"""Work-queue priority: expected recovery (amount x recoverability), raised as the deadline nears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

DEADLINE_HORIZON_DAYS = 120


def priority(amount: Decimal, recoverability: float, days_to_deadline: int | None) -> float:
    """Higher works first: money likely to come back, weighted up to 2x as the deadline nears; 0 once passed."""
    expected = float(amount) * recoverability
    if days_to_deadline is None:
        return round(expected, 2)
    if days_to_deadline < 0:
        return 0.0
    urgency = 1 + max(0, DEADLINE_HORIZON_DAYS - days_to_deadline) / DEADLINE_HORIZON_DAYS
    return round(expected * urgency, 2)


def sla_state(sla_due_at: dt.datetime | None, now: dt.datetime) -> str:
    """on_track, due_soon (within a day) or breached."""
    if sla_due_at is None:
        return "on_track"
    if now > sla_due_at:
        return "breached"
    return "due_soon" if sla_due_at - now <= dt.timedelta(days=1) else "on_track"


def should_alert(days_to_deadline: int, alert_days: int, already_alerted: bool) -> bool:
    """Alert once when the deadline is within alert_days and not passed."""
    return not already_alerted and 0 <= days_to_deadline <= alert_days
