"""The primary payer's 835, as remittance reported it, turned into the COB facts of the secondary's claim.

The primary's 835 names our lines by the REF*6R numbers of the version it adjudicated
(`<pcn>-<version>-<line>`). The secondary's claim is a new version with its own line numbers, so each
adjudicated line is carried over to the line at the same position.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from services.submission.domain.cob_adjudication import CasAdjustment, PriorLineAdjudication, PriorPayerAdjudication
from services.submission.domain.errors import InvalidBillableClaim
from shared.events.remittance_events import ClaimSecondaryBillingReady

BILLABLE_PRIORITIES = frozenset({"secondary"})  # the 837 writers bill the secondary after the primary


def prior_payer_adjudication(event: ClaimSecondaryBillingReady, patient_control_number: str,
                             line_control_numbers: Sequence[str]) -> PriorPayerAdjudication:
    """The primary's adjudication keyed by the new version's line control numbers (InvalidBillableClaim if
    the 835 names a line that is not ours or cannot be placed)."""
    if event.next_payer_priority not in BILLABLE_PRIORITIES:
        raise InvalidBillableClaim(f"billing the {event.next_payer_priority} payer is not supported")
    lines = []
    for line in event.lines:
        position = line_position(line.line_control_number, patient_control_number)
        if position is None or position > len(line_control_numbers):
            raise InvalidBillableClaim("the primary's 835 names a line control number this claim never billed")
        lines.append(PriorLineAdjudication(
            line_control_number=line_control_numbers[position - 1], paid=line.paid, paid_units=line.paid_units,
            adjustments=[CasAdjustment(a.group_code, a.reason_code, a.amount) for a in line.adjustments]))
    return PriorPayerAdjudication(
        payer_id=event.prior_payer_id, payer_name=event.prior_payer_name, paid_total=event.paid_total,
        adjudication_date=event.adjudication_date,
        claim_adjustments=[CasAdjustment(a.group_code, a.reason_code, a.amount) for a in event.claim_adjustments],
        lines=lines, claim_control_number=event.prior_payer_claim_control_number)


def line_position(line_control_number: str, patient_control_number: str) -> int | None:
    """The 1-based line position in one of our REF*6R numbers, None when the number is not this claim's."""
    prefix, _, position = line_control_number.rpartition("-")
    claim_part, _, version = prefix.rpartition("-")
    if claim_part != patient_control_number or not version.isdigit() or not position.isdigit():
        return None
    return int(position) if int(position) >= 1 else None


def adjudication_as_json(adjudication: PriorPayerAdjudication) -> dict:
    """What a submission row keeps of the prior payer's adjudication (amounts and codes, no PHI)."""
    return {
        "payer_id": adjudication.payer_id, "payer_name": adjudication.payer_name,
        "paid_total": str(adjudication.paid_total), "adjudication_date": adjudication.adjudication_date.isoformat(),
        "claim_control_number": adjudication.claim_control_number,
        "patient_liability": str(adjudication.patient_liability),
        "claim_adjustments": [[a.group, a.reason, str(a.amount)] for a in adjudication.claim_adjustments],
        "lines": [{"line_control_number": line.line_control_number, "paid": str(line.paid),
                   "paid_units": None if line.paid_units is None else str(line.paid_units),
                   "adjustments": [[a.group, a.reason, str(a.amount)] for a in line.adjustments]}
                  for line in adjudication.lines],
    }


def adjudication_from_json(document: dict) -> PriorPayerAdjudication:
    """The inverse of adjudication_as_json."""
    return PriorPayerAdjudication(
        payer_id=document["payer_id"], payer_name=document["payer_name"], paid_total=Decimal(document["paid_total"]),
        adjudication_date=dt.date.fromisoformat(document["adjudication_date"]),
        claim_control_number=document["claim_control_number"],
        claim_adjustments=[CasAdjustment(g, r, Decimal(a)) for g, r, a in document["claim_adjustments"]],
        lines=[PriorLineAdjudication(
            line_control_number=line["line_control_number"], paid=Decimal(line["paid"]),
            paid_units=None if line["paid_units"] is None else Decimal(line["paid_units"]),
            adjustments=[CasAdjustment(g, r, Decimal(a)) for g, r, a in line["adjustments"]])
            for line in document["lines"]])
