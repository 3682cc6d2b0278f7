"""When a payer's adjudication makes the claim billable to the next coverage, and what to tell it.

The next payer needs the prior payer's verdict as it was sent (TR3 2320/2430 loops of the next
837): claim-level CAS, each line's paid amount, units and CAS by its REF*6R line control number,
the total paid and the payer's claim control number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.remittance.domain.era_model import Adjustment, ClaimPayment
from services.remittance.domain.posting_model import ClaimOutcome, ClaimPosting

# CLP02 "processed as" -> the coverage to bill next.
_NEXT_PRIORITY = {"1": "secondary", "2": "tertiary"}
BILLABLE_OUTCOMES = frozenset({ClaimOutcome.PAID, ClaimOutcome.PARTIALLY_PAID})


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    line_control_number: str
    paid: Decimal
    paid_units: Decimal
    adjustments: tuple[Adjustment, ...]


@dataclass(frozen=True, slots=True)
class PriorAdjudication:
    """What the next payer's claim must carry about this payer's decision."""

    next_payer_priority: str
    payer_claim_control_number: str | None
    paid_total: Decimal
    claim_adjustments: tuple[Adjustment, ...]
    lines: tuple[LineAdjudication, ...]


def next_payer_priority(claim: ClaimPayment, posting: ClaimPosting, coverage_priorities: Sequence[str]) -> str | None:
    """The coverage to bill after this adjudication, or None.

    None when the payer already forwarded the claim (CLP02 19/20/21 or a crossover carrier NM1*TT:
    billing it again would be a duplicate), when the claim was not paid (a denial is worked, not
    passed on), or when the encounter has no coverage after the one that paid.
    """
    if posting.forwarded or posting.outcome not in BILLABLE_OUTCOMES:
        return None
    priority = _NEXT_PRIORITY.get(claim.status_code)
    return priority if priority in coverage_priorities else None


def prior_adjudication(claim: ClaimPayment, posting: ClaimPosting, next_priority: str) -> PriorAdjudication:
    """The adjudication to pass on; lines are named by the billed line they matched (REF*6R or fallback)."""
    lines = []
    for line_posting in posting.lines:
        if line_posting.billed_line is None:
            continue  # a line we cannot name cannot be reported on the next payer's 2430 loop
        line = claim.lines[line_posting.line_index]
        lines.append(LineAdjudication(line_posting.billed_line.line_control_number, line.paid, line.units,
                                      tuple(a for a in line.adjustments if a.amount)))
    return PriorAdjudication(next_priority, claim.payer_claim_control_number or None, claim.paid,
                             tuple(a for a in claim.adjustments if a.amount), tuple(lines))

