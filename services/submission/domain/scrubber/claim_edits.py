"""Edits on the claim as a whole: charges, frequency and the claim it corrects, the patient's age."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from services.submission.domain.scrubber import frequency_codes
from services.submission.domain.scrubber.claim_document import (
    ClaimDocument,
    as_date,
    as_decimal,
    blank,
    items,
    value_at,
)
from services.submission.domain.scrubber.context import ScrubContext
from services.submission.domain.scrubber.library import Edit

SINCE = dt.date(2026, 1, 1)
OLDEST_PLAUSIBLE_AGE = 150
WHOLE_CLAIM = ""  # RFC 6901: the empty pointer is the whole document


def _zero_total_charge(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    charges = [as_decimal(value_at(line, "charge")) for _index, line in items(claim, "service_lines")]
    if sum((charge for charge in charges if charge is not None), Decimal("0")) <= 0:
        yield "/service_lines"


def _frequency_not_for_claim_type(claim: ClaimDocument, context: ScrubContext) -> Iterator[str]:
    allowed = frequency_codes.BY_CLAIM_TYPE.get(value_at(claim, "claim_type"), frequency_codes.PROFESSIONAL)
    if context.frequency_code not in allowed:
        yield "/claim_type"


def _correction_without_payer_claim_number(_claim: ClaimDocument, context: ScrubContext) -> Iterator[str]:
    if context.frequency_code in frequency_codes.CORRECTING and blank(context.payer_claim_control_number):
        yield WHOLE_CLAIM


def _original_with_payer_claim_number(_claim: ClaimDocument, context: ScrubContext) -> Iterator[str]:
    if context.frequency_code == frequency_codes.ORIGINAL and not blank(context.payer_claim_control_number):
        yield WHOLE_CLAIM


def _age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _implausible_birth_date(claim: ClaimDocument, context: ScrubContext) -> Iterator[str]:
    born = as_date(value_at(claim, "patient", "date_of_birth"))
    if born is None:
        return
    if born > context.today or _age_on(born, context.today) >= OLDEST_PLAUSIBLE_AGE:
        yield "/patient/date_of_birth"


EDITS = (
    Edit("SCR-CHG-001", "error", "The claim's total charge is zero.",
         "Enter the charge for each service line; a claim must bill a positive amount.",
         "/service_lines", SINCE, None, _zero_total_charge),
    Edit("SCR-FRQ-001", "error", "The claim frequency code is not valid for this claim type.",
         "Professional claims use 1, 7 or 8; institutional claims use the NUBC type-of-bill frequency codes.",
         "/claim_type", SINCE, None, _frequency_not_for_claim_type),
    Edit("SCR-PCN-001", "error", "A replacement or void claim does not name the payer's claim control number.",
         "Give the payer claim control number (from the 277CA or 835) of the claim being replaced or voided.",
         WHOLE_CLAIM, SINCE, None, _correction_without_payer_claim_number),
    Edit("SCR-PCN-002", "error", "An original claim carries a payer claim control number.",
         "Remove the payer claim control number, or send the claim as a replacement (7) or void (8).",
         WHOLE_CLAIM, SINCE, None, _original_with_payer_claim_number),
    Edit("SCR-DOB-001", "error", "The patient's date of birth is in the future or 150 or more years ago.",
         "Correct the patient's date of birth in the practice-management system.",
         "/patient/date_of_birth", SINCE, None, _implausible_birth_date),
)
