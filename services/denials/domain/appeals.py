"""Appeals: levels, the payer's deadline, the statuses an appeal moves through, and its outcome."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from shared.http.problems import Conflict

LEVELS = ("first", "second", "external")
STATUSES = ("drafted", "sent", "won", "lost", "partially_won")
DECIDED = ("won", "lost", "partially_won")
ZERO = Decimal("0")


class AppealNotSendable(Conflict):
    """Only a drafted appeal can be sent."""


class AppealDeadlinePassed(Conflict):
    """The payer's deadline has passed; sending needs an explicit override with a reason.

    409: the request is well formed, but the appeal's state (its deadline behind it) refuses it.
    """

    problem_type = "appeal-deadline-passed"
    title = "Appeal deadline passed"


@dataclass(frozen=True)
class AppealDeadline:
    deadline: dt.date
    days: int
    rule: str  # which table entry decided, for the record


@cache
def deadline_table() -> dict[str, Any]:
    """The bundled appeal windows (appeal_deadlines.json)."""
    return json.loads(Path(__file__).with_name("appeal_deadlines.json").read_text())


def appeal_deadline(payer_id: str, level: str, starts_on: dt.date, table: dict[str, Any] | None = None
                    ) -> AppealDeadline:
    """The last day the payer accepts this level of appeal, counted from starts_on."""
    table = table or deadline_table()
    payer = table["payers"].get(payer_id)
    days = int((payer or table["default"])[level])
    rule = f"{payer_id if payer else 'default'} {level}-level appeal: {days} days"
    return AppealDeadline(starts_on + dt.timedelta(days=days), days, rule)


def check_sendable(status: str, deadline: dt.date, today: dt.date, override_reason: str | None) -> bool:
    """True when sending past the deadline (allowed only with an override reason); raises otherwise."""
    if status != "drafted":
        raise AppealNotSendable(f"the appeal is {status}; only a drafted appeal can be sent")
    late = today > deadline
    if late and not (override_reason and override_reason.strip()):
        raise AppealDeadlinePassed(f"the deadline was {deadline.isoformat()}; send with override_reason to "
                                   "record why it goes anyway", deadline=deadline.isoformat())
    return late


def outcome_of_payment(appealed_amount: Decimal, paid: Decimal) -> tuple[str, Decimal] | None:
    """How a later payment decides a sent appeal: won when it covers what was appealed, else partially won."""
    if paid <= ZERO:
        return None
    overturned = min(paid, appealed_amount)
    return ("won" if paid >= appealed_amount else "partially_won"), overturned


@dataclass(frozen=True)
class ReversedOverturn:
    """What stands of a won appeal once the payer reversed (part of) the payment that won it."""

    status: str  # sent: nothing stays won, the appeal awaits the payer again; else partially_won
    overturned: Decimal  # what stays overturned
    taken_back: Decimal


def reopened_by_reversal(status: str, overturned: Decimal | None, reversed_paid: Decimal) -> ReversedOverturn | None:
    """How a CLP02=22 reversal (negative paid) undoes a won appeal's decision; None when it leaves it alone."""
    if status not in ("won", "partially_won") or not overturned or reversed_paid >= ZERO:
        return None
    taken = min(overturned, -reversed_paid)
    left = overturned - taken
    return ReversedOverturn("partially_won" if left > ZERO else "sent", left, taken)


def days_to(deadline: dt.date, today: dt.date) -> int:
    """Whole days left (negative once passed)."""
    return (deadline - today).days
