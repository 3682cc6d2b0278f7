"""Write-offs: reason codes and the approval rule above a configurable amount."""

from __future__ import annotations

from decimal import Decimal

from shared.http.problems import Conflict, ProblemError

# Our adjustment reasons for giving up on a balance (kept short; the denial keeps the payer's codes).
REASON_CODES = {
    "timely_filing": "filed or appealed too late to recover",
    "non_covered": "service not covered and not billable to the patient",
    "small_balance": "below the amount worth working",
    "appeal_exhausted": "every appeal level lost",
    "contractual": "contract terms do not allow collection",
    "charity": "charity or hardship decision",
    "other": "other reason, see the note",
}


class SameApprover(ProblemError):
    status, problem_type, title = 403, "approver-is-requester", "Approver must differ from requester"


class WriteOffNotPending(Conflict):
    """Only a write-off waiting for approval can be approved or rejected."""


def needs_approval(amount: Decimal, approval_limit: Decimal) -> bool:
    """Above the limit a second person must approve the write-off."""
    return amount > approval_limit


def check_decision(status: str, requested_by: str, decided_by: str) -> None:
    """A pending write-off decided by someone other than its requester."""
    if status != "pending_approval":
        raise WriteOffNotPending(f"the write-off is {status}")
    if requested_by.strip().casefold() == decided_by.strip().casefold():
        raise SameApprover("the person who requested a write-off cannot approve or reject it")
