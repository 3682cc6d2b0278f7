"""Fill InstitutionalDetails from the Encounter contract's institutional fields."""

from __future__ import annotations

import datetime as dt

from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.institutional_claim import InstitutionalDetails, InstitutionalLine
from shared.contracts.encounter import Encounter, ServiceLine


def institutional_details_from(
    encounter: Encounter,
    *,
    admission_type: str | None = None,
    admission_source: str | None = None,
    admitting_diagnosis: str | None = None,
    medical_record_number: str | None = None,
) -> InstitutionalDetails:
    """The 837I facts of an institutional encounter; the keywords carry what the contract does not (yet) hold."""
    if encounter.claim_type != "institutional":
        raise InvalidBillableClaim("only institutional encounters are billed on an 837I")
    if encounter.type_of_bill is None or encounter.patient_status is None:
        # The contract refuses an institutional encounter without them; kept for type narrowing.
        raise InvalidBillableClaim("an institutional encounter needs type_of_bill and patient_status")
    admission_at = None
    if encounter.admission_date is not None:
        admission_at = dt.datetime.combine(encounter.admission_date, dt.time(encounter.admission_hour or 0))
    line_dates = [line.date_of_service for line in encounter.service_lines if line.date_of_service is not None]
    # The statement period covers the whole stay: from the first day of care to discharge or the last line.
    statement_to = max([encounter.date_of_service, *line_dates, *filter(None, [encounter.discharge_date])])
    return InstitutionalDetails(
        type_of_bill=encounter.type_of_bill,
        statement_from=min([encounter.date_of_service, *line_dates]),
        statement_to=statement_to,
        patient_status=encounter.patient_status,
        lines=[_line(index, line) for index, line in enumerate(encounter.service_lines)],
        admission_at=admission_at,
        admission_type=admission_type,
        admission_source=admission_source,
        discharge_hour=None if encounter.discharge_hour is None else dt.time(encounter.discharge_hour),
        admitting_diagnosis=admitting_diagnosis,
        attending_provider=encounter.attending_provider,
        medical_record_number=medical_record_number,
    )


def _line(index: int, line: ServiceLine) -> InstitutionalLine:
    if line.revenue_code is None:
        raise InvalidBillableClaim(f"service_lines[{index}].revenue_code is required on an 837I")
    drug = line.drug
    return InstitutionalLine(
        revenue_code=line.revenue_code,
        charge=line.charge,
        units=line.units,
        procedure_code=line.procedure_code,
        modifiers=line.modifiers,
        service_date=line.date_of_service,
        ndc=drug.ndc if drug is not None else None,
        ndc_quantity=drug.quantity if drug is not None else None,
        ndc_unit=drug.unit if drug is not None else "UN",
    )
