"""Write institutional claims as one 837I 005010X223A2 interchange (ISA/GS/ST ... SE/GE/IEA)."""

from __future__ import annotations

from collections.abc import Sequence

from services.submission.domain.institutional_claim import InstitutionalClaim
from services.submission.domain.institutional_segments_837i import institutional_claim_loops
from services.submission.domain.interchange_837p import check_claim_batch, wrap_interchange
from services.submission.domain.interchange_header import InterchangeHeader
from services.submission.domain.party_segments_837p import (
    Segments,
    billing_provider_loops,
    organization_name,
    patient_loops,
    subscriber_loops,
)
from services.submission.domain.x12_values import segment, x12_date, x12_text, x12_time
from shared.contracts.encounter import BillingProvider

IMPLEMENTATION_GUIDE = "005010X223A2"


def write_837i(header: InterchangeHeader, claims: Sequence[InstitutionalClaim]) -> str:
    """The X12 text of one 837I interchange holding every claim, grouped under its billing provider."""
    check_claim_batch(claims, "837I")
    return wrap_interchange(header, IMPLEMENTATION_GUIDE, [*_transaction_header(header), *_hierarchy(claims)])


def _transaction_header(header: InterchangeHeader) -> Segments:
    """ST, BHT, 1000A submitter with its EDI contact, 1000B receiver."""
    return [
        segment("ST", "837", header.transaction_set_control_text, IMPLEMENTATION_GUIDE),
        # BHT02 00 original transmission, BHT06 CH chargeable (a claim, not an encounter report).
        segment(
            "BHT",
            "0019",
            "00",
            header.batch_reference_text,
            x12_date(header.created_at),
            x12_time(header.created_at),
            "CH",
        ),
        organization_name("41", header.sender_name, "sender_name", "46", header.sender_id),
        segment("PER", "IC", x12_text(header.contact_name, "contact_name", 60), "TE", header.contact_phone),
        organization_name("40", header.receiver_name, "receiver_name", "46", header.receiver_id),
    ]


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
