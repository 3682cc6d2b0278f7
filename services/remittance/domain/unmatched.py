"""Candidates for a claim payment whose CLP01 matches no claim we billed: claims that look like it.

A payer that truncates or re-keys the patient control number still echoes the charge, the dates of
service and the codes; a billed claim sharing at least two of those signs is a candidate, and a
person confirms it. Only ids, amounts, codes and dates are compared and reported, never the patient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.remittance.domain.era_model import STATEMENT_PERIOD_START, ClaimPayment
from services.remittance.domain.line_matching import BilledLine

MIN_REASONS = 2


@dataclass(frozen=True, slots=True)
class BilledClaimSummary:
    claim_id: str
    patient_control_number: str
    payer_id: str
    billed: object  # Decimal
    lines: tuple[BilledLine, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    claim_id: str
    patient_control_number: str
    reasons: tuple[str, ...]


def _service_dates(claim: ClaimPayment) -> set[dt.date]:
    dates = {line.service_date for line in claim.lines if line.service_date}
    start = claim.dates.get(STATEMENT_PERIOD_START)
    return dates | ({start} if start else set())


def _codes(claim: ClaimPayment) -> set[str]:
    return {(line.submitted_procedure or line.procedure).code for line in claim.lines}


def candidates(claim: ClaimPayment, billed: Sequence[BilledClaimSummary]) -> list[Candidate]:
    """Billed claims sharing at least two signs with the claim payment, most signs first."""
    dates, codes, charge = _service_dates(claim), _codes(claim), abs(claim.total_charge)
    pcn = claim.patient_control_number
    found = []
    for other in billed:
        reasons = []
        if other.billed == charge:
            reasons.append("same total charge")
        if dates and dates & {line.service_date for line in other.lines}:
            reasons.append("same date of service")
        if codes and codes <= {line.procedure_code for line in other.lines}:
            reasons.append("same procedure codes")
        if pcn and (other.patient_control_number.startswith(pcn) or pcn.startswith(other.patient_control_number)):
            reasons.append("patient control number prefix")
        if len(reasons) >= MIN_REASONS:
            found.append(Candidate(other.claim_id, other.patient_control_number, tuple(reasons)))
    return sorted(found, key=lambda c: (-len(c.reasons), c.claim_id))
