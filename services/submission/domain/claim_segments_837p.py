"""837P loop 2300 (claim) with its providers, other coverages and 2400 service lines."""

from __future__ import annotations

from services.submission.domain.billable_claim import REFERENCE_MAX, BillableClaim, ClaimFrequency
from services.submission.domain.cob_segments import line_adjudication_loop, other_payer_loops
from services.submission.domain.party_segments_837p import (
    Segments,
    address_segments,
    organization_name,
    person_name,
)
from services.submission.domain.x12_values import (
    composite,
    segment,
    x12_amount,
    x12_date,
    x12_decimal,
    x12_identifier,
)
from shared.contracts.encounter import Encounter, IndividualProvider, ServiceLine, normalise_icd10

# CLM06-09: provider signature on file, assignment accepted, benefits assigned, release of information.
CLAIM_CERTIFICATIONS = ("Y", "A", "Y", "Y")


def claim_loops(claim: BillableClaim) -> Segments:
    """2300 claim through its last 2400 line."""
    encounter = claim.encounter
    segments: Segments = [
        segment(
            "CLM",
            claim.patient_control_number,
            x12_amount(claim.total_charge),
            "",
            "",
            composite(encounter.place_of_service, "B", claim.frequency_code.value),
            *CLAIM_CERTIFICATIONS,
        )
    ]
    if encounter.prior_authorization:
        authorization = x12_identifier(encounter.prior_authorization, "prior_authorization", REFERENCE_MAX)
        segments.append(segment("REF", "G1", authorization))
    if claim.frequency_code is not ClaimFrequency.ORIGINAL and claim.payer_claim_control_number:
        segments.append(segment("REF", "F8", claim.payer_claim_control_number))
    segments.append(diagnosis_segment(encounter.diagnoses))
    segments.extend(_provider_loops(encounter))
    adjudication = claim.prior_payer_adjudication
    segments.extend(other_payer_loops(encounter, adjudication))
    for number, (line, control_number) in enumerate(
        zip(encounter.service_lines, claim.line_control_numbers, strict=True), start=1
    ):
        segments.extend(service_line_loop(number, line, control_number, encounter))
        line_adjudication = adjudication.line_for(control_number) if adjudication is not None else None
        if adjudication is not None and line_adjudication is not None:
            procedure = composite("HC", line.procedure_code, *line.modifiers)
            # SVD04 (revenue code) is not used on the 837P.
            segments.extend(line_adjudication_loop(adjudication, line_adjudication, procedure, "", line.units))
    return segments


def diagnosis_segment(diagnoses: list[str]) -> list[str]:
    """HI: the principal diagnosis as ABK, the rest as ABF, dots removed (the TR3 allows 12 in one HI)."""
    qualifiers = ["ABK", *["ABF"] * (len(diagnoses) - 1)]
    return segment(
        "HI", *(composite(q, normalise_icd10(code)) for q, code in zip(qualifiers, diagnoses, strict=True))
    )


def _provider_loops(encounter: Encounter) -> Segments:
    segments: Segments = []
    if encounter.referring_provider is not None:
        segments.append(_individual_provider("DN", encounter.referring_provider, "referring_provider"))
    rendering = encounter.rendering_provider
    # The TR3 sends 2310B only when the rendering NPI differs from the billing NPI.
    if rendering is not None and rendering.npi != encounter.billing_provider.npi:
        segments.append(_individual_provider("82", rendering, "rendering_provider"))
        if rendering.taxonomy:
            segments.append(segment("PRV", "PE", "PXC", rendering.taxonomy))
    facility = encounter.service_facility
    # 2310C is sent only when care was given somewhere other than the billing provider's address.
    if facility is not None and facility.address != encounter.billing_provider.address:
        qualifier, npi = ("XX", facility.npi) if facility.npi else ("", "")
        segments.append(organization_name("77", facility.name, "service_facility.name", qualifier, npi))
        segments.extend(address_segments(facility.address, "service_facility.address"))
    return segments


def _individual_provider(entity_code: str, provider: IndividualProvider, field: str) -> list[str]:
    return person_name(entity_code, provider.last_name, provider.first_name, field, "XX", provider.npi)


def service_line_loop(number: int, line: ServiceLine, control_number: str, encounter: Encounter) -> Segments:
    """2400: LX, SV1, DTP*472 service date and REF*6R line item control number."""
    procedure = composite("HC", line.procedure_code, *line.modifiers)
    pointers = composite(*(str(pointer) for pointer in line.diagnosis_pointers))
    service_date = line.date_of_service or encounter.date_of_service
    return [
        segment("LX", str(number)),
        # SV105 stays empty: every line inherits the claim's place of service (CLM05-1).
        segment("SV1", procedure, x12_amount(line.charge), "UN", x12_decimal(line.units), "", "", pointers),
        segment("DTP", "472", "D8", x12_date(service_date)),
        segment("REF", "6R", control_number),
    ]
