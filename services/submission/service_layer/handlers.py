"""What every submission use case shares: the 837 of a claim version, and claim.submitted for a sent one."""

from __future__ import annotations

import logging
from decimal import Decimal

from opentelemetry import trace

from services.submission.domain.billable_claim import BillableClaim
from services.submission.domain.cob_adjudication import PriorPayerAdjudication
from services.submission.domain.institutional_claim import INPATIENT_BILL_CLASSES, InstitutionalClaim
from services.submission.domain.institutional_encounter import institutional_details_from
from services.submission.domain.interchange_837i import write_837i
from services.submission.domain.interchange_837p import write_837p
from services.submission.domain.interchange_header import InterchangeHeader
from services.submission.domain.submission_plan import (
    Submitter,
    line_control_numbers_for,
    patient_control_number_for,
)
from shared.contracts.encounter import Encounter
from shared.events.claim_events import (
    BilledLine,
    ClaimSubmitted,
)
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import envelope_for

SOURCE = "submission"
DEFAULT_SUBMITTER = Submitter()
UNKNOWN_ADMISSION_TYPE = "9"
CENTS = Decimal("0.01")
log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


def interchange_for(header: InterchangeHeader, claim_id: str, encounter: Encounter, claim_version: int,
                    frequency_code: str, payer_claim_control_number: str | None,
                    prior_payer_adjudication: PriorPayerAdjudication | None = None) -> str:
    """The 837P for a professional encounter, the 837I for an institutional one."""
    pcn = patient_control_number_for(claim_id)
    line_numbers = line_control_numbers_for(pcn, claim_version, len(encounter.service_lines))
    if encounter.claim_type == "institutional":
        # The contract does not carry the admission type yet; NUBC 9 says "information not available"
        # rather than inventing a priority, and only inpatient bills (which require CL101) get it.
        inpatient = (encounter.type_of_bill or "0000")[2] in INPATIENT_BILL_CLASSES
        details = institutional_details_from(encounter, admission_type=UNKNOWN_ADMISSION_TYPE if inpatient else None)
        return write_837i(header, [InstitutionalClaim(
            patient_control_number=pcn, encounter=encounter, details=details, line_control_numbers=line_numbers,
            payer_claim_control_number=payer_claim_control_number,
            prior_payer_adjudication=prior_payer_adjudication)])
    return write_837p(header, [BillableClaim(
        patient_control_number=pcn, frequency_code=frequency_code, encounter=encounter,  # type: ignore[arg-type]
        line_control_numbers=line_numbers, payer_claim_control_number=payer_claim_control_number,
        prior_payer_adjudication=prior_payer_adjudication)])


def submitted_event_from(submission: dict, encounter: dict) -> ClaimSubmitted:
    """What remittance and the timeline need to know about a sent claim version, from the encounter the
    version billed as stored (JSON, validated when it was coded: read, not validated again)."""
    pcn = patient_control_number_for(submission["claim_id"])
    lines = encounter["service_lines"]
    numbers = line_control_numbers_for(pcn, submission["claim_version"], len(lines))
    return ClaimSubmitted(
        submission_id=submission["submission_id"], claim_version=submission["claim_version"],
        patient_control_number=pcn, frequency_code=submission["frequency_code"],
        payer_id=submission["payer_id"], interchange_control_number=str(submission["interchange_control_number"]),
        total_charge=sum((Decimal(line["charge"]) for line in lines), Decimal("0.00")).quantize(CENTS),
        billing_provider_npi=encounter["billing_provider"]["npi"],
        patient_account_number=encounter["patient"]["account_number"],
        lines=[BilledLine(line_control_number=number, procedure_code=line["procedure_code"],
                          modifiers=line.get("modifiers") or [], units=line["units"], charge=line["charge"],
                          date_of_service=line.get("date_of_service") or encounter["date_of_service"])
               for number, line in zip(numbers, lines, strict=True)])


def _envelope(event: object, submission: dict) -> EventEnvelope:
    return envelope_for(event, source=SOURCE, claim_id=submission["claim_id"],  # type: ignore[arg-type]
                        tenant_id=submission["tenant_id"])
