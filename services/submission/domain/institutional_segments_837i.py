"""837I loop 2300 (institutional claim) with its attending provider, other payers and 2400 service lines."""

from __future__ import annotations

from services.submission.domain.billable_claim import REFERENCE_MAX
from services.submission.domain.cob_segments import line_adjudication_loop, other_payer_loops
from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.institutional_claim import InstitutionalClaim, InstitutionalLine
from services.submission.domain.party_segments_837p import Segments, person_name
from services.submission.domain.x12_values import (
    composite,
    segment,
    x12_amount,
    x12_date,
    x12_decimal,
    x12_identifier,
)
from shared.contracts.encounter import normalise_icd10

# CLM07 assignment accepted, CLM08 benefits assigned, CLM09 release of information on file.
CLAIM_CERTIFICATIONS = ("A", "Y", "Y")
DIAGNOSES_PER_HI = 12
OTHER_DIAGNOSIS_SEGMENTS = 2  # the X223A2 TR3 allows two HI*ABF, so 24 other diagnoses


def institutional_claim_loops(claim: InstitutionalClaim) -> Segments:
    """2300 claim through its last 2400 line (and 2430 when the primary's 835 is attached)."""
    encounter, details = claim.encounter, claim.details
    segments: Segments = [
        segment(
            "CLM",
            claim.patient_control_number,
            x12_amount(claim.total_charge),
            "",
            "",
            composite(details.facility_type_code, "A", details.frequency_code),
            "",
            *CLAIM_CERTIFICATIONS,
        )
    ]
    # Interim bills (frequency 2, 3) end before the discharge, so they carry no discharge hour.
    if details.discharge_hour is not None and details.is_inpatient and details.frequency_code not in ("2", "3"):
        segments.append(segment("DTP", "096", "TM", details.discharge_hour.strftime("%H%M")))
    statement = f"{x12_date(details.statement_from)}-{x12_date(details.statement_to)}"
    segments.append(segment("DTP", "434", "RD8", statement))
    if details.admission_at is not None:
        segments.append(segment("DTP", "435", "DT", details.admission_at.strftime("%Y%m%d%H%M")))
    segments.append(
        segment("CL1", details.admission_type or "", details.admission_source or "", details.patient_status)
    )
    if encounter.prior_authorization:
        authorization = x12_identifier(encounter.prior_authorization, "prior_authorization", REFERENCE_MAX)
        segments.append(segment("REF", "G1", authorization))
    if claim.payer_claim_control_number is not None:
        segments.append(segment("REF", "F8", claim.payer_claim_control_number))
    if details.medical_record_number is not None:
        segments.append(segment("REF", "EA", details.medical_record_number))
    segments.extend(institutional_diagnosis_segments(encounter.diagnoses, details.admitting_diagnosis))
    attending = details.attending_provider or encounter.rendering_provider
    if attending is not None:
        segments.append(
            person_name("71", attending.last_name, attending.first_name, "attending_provider", "XX", attending.npi)
        )
        if attending.taxonomy:
            segments.append(segment("PRV", "AT", "PXC", attending.taxonomy))
    adjudication = claim.prior_payer_adjudication
    segments.extend(other_payer_loops(encounter, adjudication))
    for number, (line, control_number) in enumerate(
        zip(details.lines, claim.line_control_numbers, strict=True), start=1
    ):
        segments.extend(institutional_line_loop(number, line, control_number, claim))
        line_adjudication = adjudication.line_for(control_number) if adjudication is not None else None
        if adjudication is not None and line_adjudication is not None:
            segments.extend(
                line_adjudication_loop(adjudication, line_adjudication, _procedure(line), line.revenue_code, line.units)
            )
    return segments


def institutional_diagnosis_segments(diagnoses: list[str], admitting: str | None) -> Segments:
    """HI*ABK principal, HI*ABJ admitting when given, then HI*ABF other diagnoses (12 per segment)."""
    segments: Segments = [segment("HI", composite("ABK", normalise_icd10(diagnoses[0])))]
    if admitting is not None:
        segments.append(segment("HI", composite("ABJ", normalise_icd10(admitting))))
    others = [composite("ABF", normalise_icd10(code)) for code in diagnoses[1:]]
    if len(others) > DIAGNOSES_PER_HI * OTHER_DIAGNOSIS_SEGMENTS:
        raise InvalidBillableClaim("at most 25 diagnoses fit an 837I claim")
    for start in range(0, len(others), DIAGNOSES_PER_HI):
        segments.append(segment("HI", *others[start : start + DIAGNOSES_PER_HI]))
    return segments


def institutional_line_loop(
    number: int, line: InstitutionalLine, control_number: str, claim: InstitutionalClaim
) -> Segments:
    """2400: LX, SV2, DTP*472 service date, REF*6R line item control number and 2410 drug when given."""
    segments: Segments = [
        segment("LX", str(number)),
        segment(
            "SV2",
            line.revenue_code,
            _procedure(line),
            x12_amount(line.charge),
            line.unit_basis,
            x12_decimal(line.units),
        ),
    ]
    details = claim.details
    # Outpatient lines always carry a date; inpatient lines only when the caller knows the day.
    service_date = line.service_date or (None if details.is_inpatient else details.statement_from)
    if service_date is not None:
        segments.append(segment("DTP", "472", "D8", x12_date(service_date)))
    segments.append(segment("REF", "6R", control_number))
    if line.ndc is not None and line.ndc_quantity is not None:
        segments.append(segment("LIN", "", "N4", line.ndc))
        segments.append(segment("CTP", "", "", "", x12_decimal(line.ndc_quantity), line.ndc_unit))
    return segments


def _procedure(line: InstitutionalLine) -> str:
    """SV202/SVD03: HC and the procedure with its modifiers, or empty for a revenue-code-only line."""
    if line.procedure_code is None:
        return ""
    return composite("HC", line.procedure_code, *line.modifiers)
