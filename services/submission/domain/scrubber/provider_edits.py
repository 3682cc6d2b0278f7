"""Edits on the billing and rendering providers: identifiers the payer matches on."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from services.submission.domain.scrubber.claim_document import ClaimDocument, blank, value_at
from services.submission.domain.scrubber.context import ScrubContext
from services.submission.domain.scrubber.library import Edit
from shared.contracts.encounter import TAXONOMY
from shared.contracts.npi import is_valid_npi

SINCE = dt.date(2026, 1, 1)
TIN = re.compile(r"^\d{9}$")
TAXONOMY_CODE = re.compile(TAXONOMY)


def _billing_npi_invalid(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    npi = value_at(claim, "billing_provider", "npi")
    if not isinstance(npi, str) or not is_valid_npi(npi):
        yield "/billing_provider/npi"


def _billing_tin_invalid(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    tin = value_at(claim, "billing_provider", "tax_id")
    if not isinstance(tin, str) or not TIN.match(tin):
        yield "/billing_provider/tax_id"


def _billing_taxonomy_invalid(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    taxonomy = value_at(claim, "billing_provider", "taxonomy")
    if not isinstance(taxonomy, str) or not TAXONOMY_CODE.match(taxonomy):
        yield "/billing_provider/taxonomy"


def _rendering_taxonomy_invalid(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    taxonomy = value_at(claim, "rendering_provider", "taxonomy")
    if not blank(taxonomy) and not (isinstance(taxonomy, str) and TAXONOMY_CODE.match(taxonomy)):
        yield "/rendering_provider/taxonomy"


EDITS = (
    Edit("SCR-NPI-001", "error", "The billing provider's NPI is missing or fails the NPI check digit.",
         "Enter the billing provider's 10-digit NPI as registered in NPPES.",
         "/billing_provider/npi", SINCE, None, _billing_npi_invalid),
    Edit("SCR-TIN-001", "error", "The billing provider's tax identification number is missing or not 9 digits.",
         "Enter the billing provider's EIN (or SSN) as nine digits, without a dash.",
         "/billing_provider/tax_id", SINCE, None, _billing_tin_invalid),
    Edit("SCR-TAX-001", "error", "The billing provider's taxonomy code is missing or not a NUCC code.",
         "Use the 10-character NUCC taxonomy code (three digits, six letters or digits, then X).",
         "/billing_provider/taxonomy", SINCE, None, _billing_taxonomy_invalid),
    Edit("SCR-TAX-002", "error", "The rendering provider's taxonomy code is not a NUCC code.",
         "Use the 10-character NUCC taxonomy code, or leave the rendering taxonomy empty.",
         "/rendering_provider/taxonomy", SINCE, None, _rendering_taxonomy_invalid),
)
