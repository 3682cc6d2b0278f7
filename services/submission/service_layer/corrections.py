"""Corrected claims: a re-coded claim, or a user's replacement or void, becomes a new claim version.

Each version is scrubbed with its own frequency and payer claim control number, queued as its own
submission (the dispatcher sends it) and recorded in the claim's version history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.claim_versions import ClaimVersionStore, sent_versions
from services.submission.adapters.repository import SubmissionStore, utcnow
from services.submission.domain.billable_claim import ClaimFrequency
from services.submission.domain.claim_correction import (
    CorrectionNotAllowed,
    CorrectionTrigger,
    NextVersion,
    encounter_for_frequency,
    plan_next_version,
)
from services.submission.domain.scrubber import LIBRARY, ScrubContext, ScrubResult, bundled_payer_settings
from services.submission.service_layer.handlers import SOURCE, prepare_coded_claim, queue_version
from shared.contracts.encounter import Encounter
from shared.events.claim_events import (
    ClaimAccepted,
    ClaimCoded,
    ClaimRejected,
    ClaimScrubFailed,
    RemittancePosted,
    ScrubEdit,
)
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import envelope_for

log = logging.getLogger(__name__)


class ClaimNotBilled(Exception):
    """No billing claim with this id for this tenant."""


@dataclass(frozen=True)
class QueuedVersion:
    """What a correction queued (or why the scrubber held it back)."""

    claim_id: str
    claim_version: int
    frequency_code: str
    submission_id: str | None
    corrects_payer_claim_control_number: str | None
    scrub_edits: list[ScrubEdit]


async def apply_coded_claim(session: AsyncSession, event: ClaimCoded, envelope: EventEnvelope) -> None:
    """claim.coded: a new claim is prepared as before; a claim already billed is billed again when its
    coded encounter changed (replacement, or a new original when the payer never accepted it)."""
    claim = await ClaimVersionStore(session).lock_billing_claim(envelope.claim_id)
    if claim is None:
        await prepare_coded_claim(session, event, envelope)
        return
    if claim["encounter"] == event.encounter.model_dump(mode="json"):
        return  # coded again to the same result: nothing to correct
    await SubmissionStore(session).update_billing_claim(envelope.claim_id,
                                                        encounter=event.encounter.model_dump(mode="json"))
    try:
        await _queue_next(session, claim, event.encounter, CorrectionTrigger.RECODED)
    except CorrectionNotAllowed as refused:
        # Only a version awaiting its 277CA refuses a re-coding: whether the change goes as a 7 or a
        # new 1 depends on that answer, so it waits for it (release_held_correction).
        log.info("re-coded claim held: %s", refused.reason)
        await SubmissionStore(session).update_billing_claim(envelope.claim_id, correction_pending=True)


async def release_held_correction(session: AsyncSession, event: ClaimAccepted | ClaimRejected,
                                  envelope: EventEnvelope) -> None:
    """claim.accepted / claim.rejected (our own): a re-coding held for that answer is billed now."""
    claim = await ClaimVersionStore(session).lock_billing_claim(envelope.claim_id)
    if claim is None or not claim["correction_pending"]:
        return
    try:
        await _queue_next(session, claim, Encounter.model_validate(claim["encounter"]), CorrectionTrigger.RECODED)
    except CorrectionNotAllowed as refused:
        log.info("re-coded claim still held: %s", refused.reason)
        return
    await SubmissionStore(session).update_billing_claim(envelope.claim_id, correction_pending=False)


async def request_correction(session: AsyncSession, tenant_id: str, claim_id: str,
                             trigger: CorrectionTrigger) -> QueuedVersion:
    """A user's replacement (the latest coded encounter as frequency 7) or void (frequency 8 of the
    version the payer holds); CorrectionNotAllowed or ClaimNotBilled when it cannot be sent."""
    store = ClaimVersionStore(session)
    claim = await store.lock_billing_claim(claim_id, tenant_id)
    if claim is None:
        raise ClaimNotBilled(claim_id)
    encounter = Encounter.model_validate(claim["encounter"])
    return await _queue_next(session, claim, encounter, trigger)


async def note_remittance(session: AsyncSession, event: RemittancePosted, envelope: EventEnvelope) -> None:
    """claim.remittance_posted: the version's outcome (paid, denied, reversed ...) for its history, and the
    835's CLP07 as the payer's claim control number when no 277CA gave one."""
    await ClaimVersionStore(session).note_adjudication(envelope.claim_id, event.payer_id, event.claim_status,
                                                       event.payer_claim_control_number)


async def _queue_next(session: AsyncSession, claim: dict, encounter: Encounter,
                      trigger: CorrectionTrigger) -> QueuedVersion:
    store = ClaimVersionStore(session)
    history = await store.versions(claim["claim_id"])
    plan = plan_next_version(sent_versions(history), trigger)
    if plan.frequency_code is ClaimFrequency.VOID:
        # A void takes back the claim as the payer holds it, not a newer coding of it.
        voided = next(v for v in history if v["claim_version"] == plan.corrects_version)
        encounter = Encounter.model_validate(voided["encounter"] or claim["encounter"])
    billed = encounter_for_frequency(encounter, plan.frequency_code)
    frequency = billed.type_of_bill[-1] if billed.claim_type == "institutional" and billed.type_of_bill \
        else plan.frequency_code.value
    scrub = LIBRARY.scrub(billed, ScrubContext(today=utcnow().date(), frequency_code=frequency,
                                               payer_claim_control_number=plan.payer_claim_control_number,
                                               payer_settings=bundled_payer_settings()))
    edits = scrub_edits(scrub)
    submissions = SubmissionStore(session)
    if scrub.blocks_submission:
        await submissions.update_billing_claim(claim["claim_id"], status="needs_correction")
        await submissions.record(claim["claim_id"], [envelope_for(
            ClaimScrubFailed(edits=edits), source=SOURCE, claim_id=claim["claim_id"], tenant_id=claim["tenant_id"])])
        return _queued(claim["claim_id"], plan, None, edits)
    submission_id = await queue_version(
        submissions, claim["claim_id"], claim["tenant_id"], billed, plan.claim_version, plan.frequency_code.value,
        plan.payer_claim_control_number,
        details={"trigger": trigger.value, "corrects_payer_claim_control_number": plan.payer_claim_control_number})
    await submissions.update_billing_claim(claim["claim_id"], status="queued", current_version=plan.claim_version,
                                           correction_pending=False)
    return _queued(claim["claim_id"], plan, submission_id, edits)


def scrub_edits(scrub: ScrubResult) -> list[ScrubEdit]:
    return [ScrubEdit(edit_id=f.edit_id, severity=f.severity, message=f.message, fix_hint=f.fix_hint,
                      pointer=f.pointer) for f in scrub.findings]


def _queued(claim_id: str, plan: NextVersion, submission_id: str | None, edits: list[ScrubEdit]) -> QueuedVersion:
    return QueuedVersion(claim_id=claim_id, claim_version=plan.claim_version,
                         frequency_code=plan.frequency_code.value, submission_id=submission_id,
                         corrects_payer_claim_control_number=plan.payer_claim_control_number, scrub_edits=edits)
