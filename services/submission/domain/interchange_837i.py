"""Write institutional claims as one 837I 005010X223A2 interchange (ISA/GS/ST ... SE/GE/IEA)."""

from __future__ import annotations

from collections.abc import Sequence

from services.submission.domain.institutional_claim import InstitutionalClaim
from services.submission.domain.institutional_segments_837i import institutional_claim_loops
from services.submission.domain.interchange_837p import check_claim_batch, transaction_header, wrap_interchange
from services.submission.domain.interchange_header import InterchangeHeader
from services.submission.domain.party_segments_837p import (
    Segments,
    billing_provider_loops,
    patient_loops,
    subscriber_loops,
)
from shared.contracts.encounter import BillingProvider

IMPLEMENTATION_GUIDE = "005010X223A2"


def write_837i(header: InterchangeHeader, claims: Sequence[InstitutionalClaim]) -> str:
    """The X12 text of one 837I interchange holding every claim, grouped under its billing provider."""
    check_claim_batch(claims, "837I")
    transaction = [*transaction_header(header, IMPLEMENTATION_GUIDE), *_hierarchy(claims)]
    return wrap_interchange(header, IMPLEMENTATION_GUIDE, transaction)


def _hierarchy(claims: Sequence[InstitutionalClaim]) -> Segments:
    """HL 20 per billing provider, then per claim HL 22 (and HL 23 for a dependent) and its 2300 loop."""
    segments: Segments = []
    next_hl_id = 1
    for provider, provider_claims in _group_by_billing_provider(claims):
        provider_hl_id = next_hl_id
        segments.extend(billing_provider_loops(provider, provider_hl_id))
        next_hl_id += 1
        for claim in provider_claims:
            patient = claim.encounter.patient
            coverage = claim.billed_coverage  # the secondary once the primary's 835 is attached
            subscriber_hl_id = next_hl_id
            segments.extend(subscriber_loops(coverage, patient, subscriber_hl_id, provider_hl_id))
            next_hl_id += 1
            if coverage.relationship != "self":
                segments.extend(patient_loops(coverage, patient, next_hl_id, subscriber_hl_id))
                next_hl_id += 1
            segments.extend(institutional_claim_loops(claim))
    return segments


def _group_by_billing_provider(
    claims: Sequence[InstitutionalClaim],
) -> list[tuple[BillingProvider, list[InstitutionalClaim]]]:
    """Claims grouped by identical billing provider, in first-seen order."""
    groups: dict[str, tuple[BillingProvider, list[InstitutionalClaim]]] = {}
    for claim in claims:
        provider = claim.encounter.billing_provider
        # The whole provider is the key: same NPI with another address must be its own 2000A.
        groups.setdefault(provider.model_dump_json(), (provider, []))[1].append(claim)
    return list(groups.values())
