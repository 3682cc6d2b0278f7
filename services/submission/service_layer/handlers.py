"""Submission's use cases: prepare a claim version, send it, apply the clearinghouse's answers."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from opentelemetry import propagate, trace
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.clearinghouse_http import (
    ClearinghouseRefused,
    ClearinghouseUnavailable,
    HttpClearinghouse,
)
from services.submission.adapters.repository import SubmissionStore, utcnow
from services.submission.domain.billable_claim import BillableClaim
from services.submission.domain.institutional_claim import INPATIENT_BILL_CLASSES, InstitutionalClaim
from services.submission.domain.institutional_encounter import institutional_details_from
from services.submission.domain.interchange_837i import write_837i
from services.submission.domain.interchange_837p import write_837p
from services.submission.domain.interchange_header import InterchangeHeader
from services.submission.domain.scrubber import LIBRARY, ScrubContext, ScrubResult, bundled_payer_settings
from services.submission.domain.submission_plan import (
    Submitter,
    line_control_numbers_for,
    patient_control_number_for,
)
from services.submission.service_layer.learned_edits import with_learned_edits
from shared.contracts.encounter import Encounter
from shared.db import unit_of_work
from shared.events.claim_events import (
    BilledLine,
    ClaimCoded,
    ClaimRejected,
    ClaimScrubFailed,
    ClaimSubmitted,
    ScrubEdit,
)
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import envelope_for
from shared.telemetry import claim_span_attributes, current_traceparent

SOURCE = "submission"
DEFAULT_SUBMITTER = Submitter()
UNKNOWN_ADMISSION_TYPE = "9"
log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


async def prepare_coded_claim(session: AsyncSession, event: ClaimCoded, envelope: EventEnvelope) -> None:
    """Scrub a newly coded claim, then queue its 837P (version 1, frequency 1) unless the scrubber found errors."""
    store = SubmissionStore(session)
    pcn = patient_control_number_for(envelope.claim_id)
    context = ScrubContext(today=utcnow().date(), payer_settings=bundled_payer_settings())
    scrub = await with_learned_edits(session, envelope.tenant_id, event.encounter, context,
                                     LIBRARY.scrub(event.encounter, context))
    if not await store.add_billing_claim({
        "claim_id": envelope.claim_id, "tenant_id": envelope.tenant_id, "patient_control_number": pcn,
        "encounter": event.encounter.model_dump(mode="json"), "current_version": 1,
        "status": "needs_correction" if scrub.blocks_submission else "queued"}):
        return  # this claim was already prepared
    _note_scrub(scrub)
    if scrub.blocks_submission:
        failed = ClaimScrubFailed(edits=[ScrubEdit(edit_id=f.edit_id, severity=f.severity, message=f.message,
                                                   fix_hint=f.fix_hint, pointer=f.pointer) for f in scrub.findings])
        await store.record(envelope.claim_id, [envelope_for(failed, source=SOURCE, claim_id=envelope.claim_id,
                                                            tenant_id=envelope.tenant_id)])
        return
    await queue_version(store, envelope.claim_id, envelope.tenant_id, event.encounter, 1, "1", None)


def _note_scrub(scrub: ScrubResult) -> None:
    # Edit ids and pointers only: the values they point at may be PHI.
    trace.get_current_span().set_attributes({
        "scrub.library_version": scrub.library_version,
        "scrub.edit_ids": [f.edit_id for f in scrub.findings]})
    if scrub.findings:
        log.info("scrubber found %s", ", ".join(f"{f.edit_id}({f.severity})@{f.pointer}" for f in scrub.findings))


async def queue_version(store: SubmissionStore, claim_id: str, tenant_id: str, encounter: Encounter,
                        claim_version: int, frequency_code: str, payer_claim_control_number: str | None,
                        submitter: Submitter = DEFAULT_SUBMITTER) -> str:
    """Build one claim version's interchange and store it as pending; returns the submission id."""
    control_number = await store.next_control_number()
    x12 = interchange_for(submitter.header(control_number, utcnow()), claim_id, encounter, claim_version,
                          frequency_code, payer_claim_control_number)
    submission_id = str(uuid.uuid4())
    await store.add_submission({
        "submission_id": submission_id, "claim_id": claim_id, "tenant_id": tenant_id,
        "claim_version": claim_version, "frequency_code": frequency_code,
        "payer_id": encounter.primary_coverage.payer.payer_id, "status": "pending",
        "interchange_control_number": control_number, "x12": x12, "traceparent": current_traceparent()})
    return submission_id


def interchange_for(header: InterchangeHeader, claim_id: str, encounter: Encounter, claim_version: int,
                    frequency_code: str, payer_claim_control_number: str | None) -> str:
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
            payer_claim_control_number=payer_claim_control_number)])
    return write_837p(header, [BillableClaim(
        patient_control_number=pcn, frequency_code=frequency_code, encounter=encounter,  # type: ignore[arg-type]
        line_control_numbers=line_numbers, payer_claim_control_number=payer_claim_control_number)])


def submitted_event(submission: dict, encounter: Encounter) -> ClaimSubmitted:
    """What remittance and the timeline need to know about a sent claim version."""
    pcn = patient_control_number_for(submission["claim_id"])
    numbers = line_control_numbers_for(pcn, submission["claim_version"], len(encounter.service_lines))
    return ClaimSubmitted(
        submission_id=submission["submission_id"], claim_version=submission["claim_version"],
        patient_control_number=pcn, frequency_code=submission["frequency_code"],
        payer_id=submission["payer_id"], interchange_control_number=str(submission["interchange_control_number"]),
        total_charge=encounter.total_charge, billing_provider_npi=encounter.billing_provider.npi,
        patient_account_number=encounter.patient.account_number,
        lines=[BilledLine(line_control_number=number, procedure_code=line.procedure_code,
                          modifiers=line.modifiers, units=line.units, charge=line.charge,
                          date_of_service=line.date_of_service or encounter.date_of_service)
               for number, line in zip(numbers, encounter.service_lines, strict=True)])


async def dispatch_due(sessions: async_sessionmaker[AsyncSession], clearinghouse: HttpClearinghouse,
                       limit: int = 50) -> int:
    """Send due submissions; each is marked sent with its claim.submitted event in one transaction.

    A crash after the send and before the commit leaves the row pending: the resend carries the
    same Idempotency-Key (the submission id), so the clearinghouse answers without a second claim.
    """
    sent = 0
    async with unit_of_work(sessions) as session:
        store = SubmissionStore(session)
        for submission in await store.lock_due(limit):
            parent = propagate.extract({"traceparent": submission["traceparent"]} if submission["traceparent"] else {})
            with tracer.start_as_current_span("submit 837 to clearinghouse", context=parent, attributes={
                    **claim_span_attributes(submission["claim_id"], submission["tenant_id"]),
                    "payer.id": submission["payer_id"], "x12.interchange_control_number":
                    str(submission["interchange_control_number"])}):
                sent += await _send_one(store, clearinghouse, submission)
    return sent


async def _send_one(store: SubmissionStore, clearinghouse: HttpClearinghouse, submission: dict) -> int:
    attempts = submission["send_attempts"] + 1
    try:
        await clearinghouse.submit(submission["x12"], idempotency_key=submission["submission_id"])
    except ClearinghouseUnavailable as error:
        delay = min(2 ** attempts, 300)
        await store.update_submission(submission["submission_id"], send_attempts=attempts, last_error=str(error),
                                      next_attempt_at=utcnow() + dt.timedelta(seconds=delay))
        return 0
    except ClearinghouseRefused as error:
        await store.update_submission(submission["submission_id"], send_attempts=attempts, status="refused",
                                      last_error=str(error))
        await store.update_billing_claim(submission["claim_id"], status="rejected")
        rejected = ClaimRejected(submission_id=submission["submission_id"], stage="999", status_category="R",
                                 status_code="refused", reason=str(error))
        await store.record(submission["claim_id"], [_envelope(rejected, submission)])
        return 0
    await store.update_submission(submission["submission_id"], send_attempts=attempts, status="sent",
                                  sent_at=utcnow(), last_error=None)
    claim = await store.billing_claim_by_pcn(patient_control_number_for(submission["claim_id"]))
    assert claim is not None
    await store.update_billing_claim(submission["claim_id"], status="submitted")
    event = submitted_event(submission, Encounter.model_validate(claim["encounter"]))
    await store.record(submission["claim_id"], [_envelope(event, submission)])
    return 1


def _envelope(event: object, submission: dict) -> EventEnvelope:
    return envelope_for(event, source=SOURCE, claim_id=submission["claim_id"],  # type: ignore[arg-type]
                        tenant_id=submission["tenant_id"])
