"""Edits on drug lines: the payer prices a drug by its 11-digit NDC and the quantity given (837 LIN/CTP)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from services.submission.domain.scrubber.claim_document import ClaimDocument, as_decimal, items, value_at
from services.submission.domain.scrubber.context import ScrubContext
from services.submission.domain.scrubber.library import Edit

SINCE = dt.date(2026, 1, 1)
NDC_11 = re.compile(r"^\d{11}$")  # 5-4-2 zero-padded, no dashes: the HIPAA format of LIN03


def _drug_lines(claim: ClaimDocument) -> Iterator[tuple[int, object]]:
    for index, line in items(claim, "service_lines"):
        drug = value_at(line, "drug")
        if drug is not None:
            yield index, drug


def _ndc_not_11_digits(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    for index, drug in _drug_lines(claim):
        ndc = value_at(drug, "ndc")
        if not isinstance(ndc, str) or not NDC_11.match(ndc):
            yield f"/service_lines/{index}/drug/ndc"


def _drug_quantity_not_positive(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    for index, drug in _drug_lines(claim):
        quantity = as_decimal(value_at(drug, "quantity"))
        if quantity is None or quantity <= 0:
            yield f"/service_lines/{index}/drug/quantity"


EDITS = (
    Edit("SCR-NDC-001", "error", "A drug line's NDC is not 11 digits.",
         "Write the NDC in the 5-4-2 format with leading zeros and without dashes (11 digits).",
         "/service_lines/*/drug/ndc", SINCE, None, _ndc_not_11_digits),
    Edit("SCR-NDC-002", "error", "A drug line's quantity is missing or not greater than zero.",
         "Enter the quantity of the drug given, in the line's NDC unit of measure.",
         "/service_lines/*/drug/quantity", SINCE, None, _drug_quantity_not_positive),
)
