"""Coordination-of-benefits loops shared by the 837P and 837I: 2320/2330A/2330B and 2430."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from services.submission.domain.cob_adjudication import (
    ADJUSTMENTS_PER_CAS,
    CasAdjustment,
    PriorLineAdjudication,
    PriorPayerAdjudication,
    billed_coverage,
)
from services.submission.domain.party_segments_837p import (
    PAYER_RESPONSIBILITY_CODES,
    RELATIONSHIP_CODES,
    Segments,
    address_segments,
    group_number,
    member_id,
    organization_name,
    payer_name,
    person_name,
    subscriber_of,
)
from services.submission.domain.x12_values import segment, x12_amount, x12_date, x12_decimal, x12_identifier
from shared.contracts.encounter import Coverage, Encounter


def other_payer_loops(encounter: Encounter, adjudication: PriorPayerAdjudication | None) -> Segments:
    """A 2320 loop for every coverage except the billed one, the adjudicated primary carrying its 835 amounts."""
    billed = billed_coverage(encounter, adjudication)
    others = sorted(
        (c for c in encounter.coverages if c is not billed),
        key=lambda c: PAYER_RESPONSIBILITY_CODES[c.priority],
    )
    segments: Segments = []
    for coverage in others:
        paid = adjudication if adjudication is not None and coverage.priority == "primary" else None
        segments.extend(_other_payer_loop(coverage, encounter, paid))
    return segments


def _other_payer_loop(
    coverage: Coverage, encounter: Encounter, adjudication: PriorPayerAdjudication | None
) -> Segments:
    subscriber = subscriber_of(coverage, encounter.patient)
    segments: Segments = [
        segment(
            "SBR",
            PAYER_RESPONSIBILITY_CODES[coverage.priority],
            RELATIONSHIP_CODES[coverage.relationship],
            group_number(coverage, "other_coverage"),
            "",
            "",
            "",
            "",
            "",
            coverage.claim_filing_indicator,
        )
    ]
    if adjudication is not None:
        segments.extend(adjustment_segments(adjudication.claim_adjustments))
        segments.append(segment("AMT", "D", x12_amount(adjudication.paid_total)))
        if not adjudication.has_line_detail:
            # Claim-level-only adjudication: the patient's remaining share is stated here, not per line.
            segments.append(segment("AMT", "EAF", x12_amount(adjudication.patient_liability)))
    segments.extend(
        [
            # OI03 benefits assigned, OI06 release of information on file.
            segment("OI", "", "", "Y", "", "", "Y"),
            person_name(
                "IL",
                subscriber.last_name,
                subscriber.first_name,
                "other_subscriber",
                "MI",
                member_id(coverage, "other_coverage"),
            ),
            *address_segments(subscriber.address, "other_subscriber.address"),
        ]
    )
    if adjudication is None:
        segments.append(payer_name("other_coverage", coverage.payer))
        return segments
    # The 835's payer id names the payer in 2330B; every 2430 SVD01 must repeat that same id.
    segments.append(
        organization_name("PR", adjudication.payer_name, "prior_payer.payer_name", "PI", adjudication.payer_id)
    )
    if not adjudication.has_line_detail:
        # With line detail the date travels in each 2430 DTP*573 instead.
        segments.append(segment("DTP", "573", "D8", x12_date(adjudication.adjudication_date)))
    if adjudication.claim_control_number is not None:
        segments.append(segment("REF", "F8", adjudication.claim_control_number))
    return segments


def adjustment_segments(adjustments: Sequence[CasAdjustment]) -> Segments:
    """One CAS per adjustment group, in the order the groups first appear, each with up to six trios."""
    segments: Segments = []
    for group in dict.fromkeys(a.group for a in adjustments):
        trios = [a for a in adjustments if a.group == group][:ADJUSTMENTS_PER_CAS]
        elements: list[str] = [group]
        for index, adjustment in enumerate(trios):
            # CAS04 (quantity) stays empty; the element must still be held open between trios.
            elements.extend([adjustment.reason, x12_amount(adjustment.amount)])
            if index < len(trios) - 1:
                elements.append("")
        segments.append(segment("CAS", *elements))
    return segments


def line_adjudication_loop(
    adjudication: PriorPayerAdjudication,
    line: PriorLineAdjudication,
    procedure: str,
    revenue_code: str,
    billed_units: Decimal,
) -> Segments:
    """2430: SVD with the paid amount, line CAS, DTP*573 and the line's remaining patient liability."""
    units = line.paid_units if line.paid_units is not None else billed_units
    segments: Segments = [
        segment(
            "SVD",
            x12_identifier(adjudication.payer_id, "prior_payer.payer_id", 80, min_length=2),
            x12_amount(line.paid),
            procedure,
            revenue_code,
            x12_decimal(units),
        ),
        *adjustment_segments(line.adjustments),
        segment("DTP", "573", "D8", x12_date(adjudication.adjudication_date)),
    ]
    if line.patient_liability:
        segments.append(segment("AMT", "EAF", x12_amount(line.patient_liability)))
    return segments
