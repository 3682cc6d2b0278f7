"""Write billable claims as one 837P 005010X222A1 interchange (ISA/GS/ST ... SE/GE/IEA)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from services.submission.domain.billable_claim import BillableClaim
from services.submission.domain.claim_segments_837p import claim_loops
from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.interchange_header import InterchangeHeader
from services.submission.domain.party_segments_837p import (
    Segments,
    billing_provider_loops,
    organization_name,
    patient_loops,
    subscriber_loops,
)
from services.submission.domain.x12_values import DELIMITERS, segment, x12_date, x12_text, x12_time
from shared.contracts.encounter import BillingProvider, Coverage, Encounter
from shared.x12.tokenizer import render_segments

IMPLEMENTATION_GUIDE = "005010X222A1"
MAX_CLAIMS_PER_TRANSACTION = 5000  # the X222A1 TR3's recommended ceiling per ST/SE


def write_837p(header: InterchangeHeader, claims: Sequence[BillableClaim]) -> str:
    """The X12 text of one interchange holding every claim, grouped under its billing provider."""
    check_claim_batch(claims, "837P")
    transaction = [*transaction_header(header), *claim_hierarchy(claims, claim_loops)]
    return wrap_interchange(header, IMPLEMENTATION_GUIDE, transaction)


def check_claim_batch(claims: Sequence[BillableClaim] | Sequence[object], kind: str) -> None:
    """The limits every 837 batch obeys, professional or institutional."""
    if not claims:
        raise InvalidBillableClaim(f"an {kind} needs at least one claim")
    if len(claims) > MAX_CLAIMS_PER_TRANSACTION:
        raise InvalidBillableClaim(f"at most {MAX_CLAIMS_PER_TRANSACTION} claims fit one transaction set")
    if len({claim.patient_control_number for claim in claims}) != len(claims):  # type: ignore[attr-defined]
        # CLM01 is how the 999, 277CA and 835 point back at a claim: it must be unique in the file.
        raise InvalidBillableClaim("patient_control_number must be unique within an interchange")


def wrap_interchange(header: InterchangeHeader, implementation_guide: str, transaction: Segments) -> str:
    """Close the transaction set (SE) and wrap it in ISA/GS ... GE/IEA: the same for every 5010 837."""
    transaction = [*transaction, segment("SE", str(len(transaction) + 1), header.transaction_set_control_text)]
    envelope = [
        _isa(header),
        segment(
            "GS",
            "HC",
            header.sender_id,
            header.receiver_id,
            x12_date(header.created_at),
            x12_time(header.created_at),
            str(header.group_control_number),
            "X",
            implementation_guide,
        ),
        *transaction,
        segment("GE", "1", str(header.group_control_number)),
        segment("IEA", "1", f"{header.interchange_control_number:09d}"),
    ]
    return render_segments(envelope, DELIMITERS)


def _isa(header: InterchangeHeader) -> list[str]:
    # The ISA is fixed width: every element is padded, nothing is trimmed.
    return [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        header.sender_qualifier,
        header.sender_id.ljust(15),
        header.receiver_qualifier,
        header.receiver_id.ljust(15),
        header.created_at.strftime("%y%m%d"),
        x12_time(header.created_at),
        DELIMITERS.repetition,
        "00501",
        f"{header.interchange_control_number:09d}",
        "1" if header.acknowledgment_requested else "0",
        header.usage_indicator,
        DELIMITERS.component,
    ]


def transaction_header(header: InterchangeHeader, implementation_guide: str = IMPLEMENTATION_GUIDE) -> Segments:
    """ST, BHT, 1000A submitter with its EDI contact, 1000B receiver: the same for 837P and 837I."""
    return [
        segment("ST", "837", header.transaction_set_control_text, implementation_guide),
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


class HierarchyClaim(Protocol):
    """What the HL hierarchy needs of a claim, professional or institutional."""

    @property
    def encounter(self) -> Encounter: ...

    @property
    def billed_coverage(self) -> Coverage: ...


ClaimT = TypeVar("ClaimT", bound=HierarchyClaim)


def claim_hierarchy(claims: Sequence[ClaimT], claim_loops_of: Callable[[ClaimT], Segments]) -> Segments:
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
            segments.extend(claim_loops_of(claim))
    return segments


def _group_by_billing_provider(claims: Sequence[ClaimT]) -> list[tuple[BillingProvider, list[ClaimT]]]:
    """Claims grouped by identical billing provider, in first-seen order."""
    groups: dict[str, tuple[BillingProvider, list[ClaimT]]] = {}
    for claim in claims:
        provider = claim.encounter.billing_provider
        # The whole provider is the key: same NPI with another address must be its own 2000A.
        groups.setdefault(provider.model_dump_json(), (provider, []))[1].append(claim)
    return list(groups.values())
