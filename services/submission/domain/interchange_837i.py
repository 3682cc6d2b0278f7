"""Write institutional claims as one 837I 005010X223A2 interchange (ISA/GS/ST ... SE/GE/IEA)."""

from __future__ import annotations

from collections.abc import Sequence

from services.submission.domain.institutional_claim import InstitutionalClaim
from services.submission.domain.institutional_segments_837i import institutional_claim_loops
from services.submission.domain.interchange_837p import (
    check_claim_batch,
    claim_hierarchy,
    transaction_header,
    wrap_interchange,
)
from services.submission.domain.interchange_header import InterchangeHeader

IMPLEMENTATION_GUIDE = "005010X223A2"


def write_837i(header: InterchangeHeader, claims: Sequence[InstitutionalClaim]) -> str:
    """The X12 text of one 837I interchange holding every claim, grouped under its billing provider."""
    check_claim_batch(claims, "837I")
    hierarchy = claim_hierarchy(claims, institutional_claim_loops)
    transaction = [*transaction_header(header, IMPLEMENTATION_GUIDE), *hierarchy]
    return wrap_interchange(header, IMPLEMENTATION_GUIDE, transaction)
