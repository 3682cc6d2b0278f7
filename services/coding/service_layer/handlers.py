"""Coding's use cases for claim events: code a new claim, code a corrected encounter, reopen on a denial.

Coding a claim runs the note reader and the edits (CPU work, milliseconds per claim) in a worker
thread so the service's HTTP routes and Kafka heartbeats are not held up by a large batch.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.policy_repository import TenantPolicyStore
from services.coding.adapters.repository import CodingStore
from services.coding.adapters.review_repository import ReviewStore, item_from_row
from services.coding.domain.coding_decision import CodingDecision, decide_coding
from services.coding.domain.coding_engines import CodingEngines
from services.coding.domain.decision_rules import finding
from services.coding.domain.review_queue import SUPERSEDED, open_review, reopen_review
from services.coding.service_layer.coded_records import claim_coded, coded_row
from services.coding.service_layer.release_coverage import code_sets_used, count_if_assumed
from shared.contracts.encounter import Encounter
from shared.errors import DomainError
from shared.events.claim_events import ClaimReceived
from shared.events.coding_events import ClaimCodingReviewRequiredV2
from shared.events.denial_events import ClaimCorrectionRequested
from shared.events.envelope import EventEnvelope
from shared.events.intake_events import ClaimEncounterCorrected
from shared.events.registry import ClaimEvent
from shared.messaging.outbox import envelope_for

SOURCE = "coding"
log = logging.getLogger(__name__)


class ClaimNotCoded(DomainError):
    """An event asked coding to rework a claim coding has never seen."""


async def code_received_claim(session: AsyncSession, event: ClaimReceived, envelope: EventEnvelope,
                              engines: CodingEngines) -> None:
    """Code a new claim: claim.coded when clean, else claim.coding_review_required and a review item."""
    store = CodingStore(session)
    if await store.stream_version(envelope.claim_id):
        return  # already coded: a second claim.received for the same claim changes nothing
    policy = await TenantPolicyStore(session).policy_for(envelope.tenant_id)
    decision = await asyncio.to_thread(decide_coding, event.encounter, engines, policy)
    await record_decision(session, envelope, decision, trigger="coding", coding_round=1, expected_version=0)


async def recode_corrected_encounter(session: AsyncSession, event: ClaimEncounterCorrected, envelope: EventEnvelope,
                                     engines: CodingEngines) -> None:
    """The practice corrected the encounter: any open review is superseded and the claim is coded again."""
    store = CodingStore(session)
    coded = await store.get(envelope.tenant_id, envelope.claim_id, for_update=True)
    reviews = ReviewStore(session)
    active = await reviews.active_for_claim(envelope.claim_id, for_update=True)
    if active is not None:
        item = item_from_row(active)
        item.status = SUPERSEDED
        await reviews.save(item, closed_by="encounter_corrected")
    policy = await TenantPolicyStore(session).policy_for(envelope.tenant_id)
    decision = await asyncio.to_thread(decide_coding, event.encounter, engines, policy)
    coding_round = coded["coding_round"] + 1 if coded else 1
    await record_decision(session, envelope, decision, trigger="encounter_corrected", coding_round=coding_round,
                          expected_version=await store.stream_version(envelope.claim_id))


async def reopen_for_denial(session: AsyncSession, event: ClaimCorrectionRequested, envelope: EventEnvelope) -> None:
    """A denial routed to coding: the claim goes back to the coder review queue with the payer's reason."""
    if event.route != "coding":
        return
    store, reviews = CodingStore(session), ReviewStore(session)
    coded = await store.get(envelope.tenant_id, envelope.claim_id, for_update=True)
    if coded is None:
        raise ClaimNotCoded(f"claim {envelope.claim_id} has no coding to reopen (denial {event.denial_id})")
    codes = ", ".join(event.reason_codes) or "no reason codes"
    reason = finding("COD-DENIAL", reason=f"{event.reason[:300]} ({codes})")
    reasons = [f"{reason.edit_id}: {reason.message}"]
    active = await reviews.active_for_claim(envelope.claim_id, for_update=True)
    if active is not None:
        item = item_from_row(active)
        item.reasons = [*item.reasons, *reasons]
        await reviews.save(item)
    else:
        encounter = await _last_coded_encounter(store, coded)
        sources = {d["code"]: d["source"] for d in coded["diagnoses"]}
        sources.update({f"line:{p['line_number']}": p["source"] for p in coded["procedures"]})
        item = reopen_review(str(uuid.uuid4()), envelope.claim_id, envelope.tenant_id, "denial", encounter, reasons,
                             coded["coding_round"] + 1, sources)
        await reviews.add(item)
    required = ClaimCodingReviewRequiredV2(reasons=item.reasons, review_id=item.review_id, trigger="denial")
    version = await store.record(envelope.claim_id, [_envelope(required, envelope)],
                                 await store.stream_version(envelope.claim_id))
    await store.update(envelope.claim_id, {"status": "coding_review", "review_id": item.review_id,
                                           "reasons": item.reasons}, version)


async def _last_coded_encounter(store: CodingStore, coded: dict) -> Encounter:
    if coded["encounter"] is not None:
        return Encounter.model_validate(coded["encounter"])
    event = await store.last_coded_event(coded["claim_id"])  # coded before the review queue existed
    if event is None:
        raise ClaimNotCoded(f"claim {coded['claim_id']} has no coded encounter to reopen")
    return Encounter.model_validate(event["encounter"])


async def record_decision(session: AsyncSession, envelope: EventEnvelope, decision: CodingDecision, *, trigger: str,
                          coding_round: int, expected_version: int) -> None:
    """Store the decision and announce it: claim.coded, or a review item and claim.coding_review_required."""
    store = CodingStore(session)
    claim_id, tenant_id = envelope.claim_id, envelope.tenant_id
    if decision.needs_review:
        item = open_review(str(uuid.uuid4()), claim_id, tenant_id, trigger, decision, coding_round)
        await ReviewStore(session).add(item)
        event: ClaimEvent = ClaimCodingReviewRequiredV2(
            reasons=item.reasons, review_id=item.review_id, trigger=trigger)  # type: ignore[arg-type]
        status, review_id = "coding_review", item.review_id
    else:
        event = claim_coded(decision.encounter, decision.diagnoses, decision.procedures, decision.findings,
                            coding_round)
        status, review_id = "coded", None
    log.info("claim coded", extra={"claim_id": claim_id, "coding_status": status,
                                   "edit_ids": [f.edit_id for f in decision.findings]})
    version = await store.record(claim_id, [_envelope(event, envelope)], expected_version)
    code_sets = code_sets_used(decision.encounter.date_of_service)
    await store.save(claim_id, tenant_id, coded_row(
        status, decision.encounter, decision.diagnoses, decision.procedures, decision.findings, coding_round,
        suggestions=decision.suggestions, note_status=decision.note_status, review_id=review_id,
        code_sets=code_sets), version)
    count_if_assumed(code_sets, tenant_id, held=decision.needs_review)


def _envelope(event: ClaimEvent, cause: EventEnvelope) -> EventEnvelope:
    return envelope_for(event, source=SOURCE, claim_id=cause.claim_id, tenant_id=cause.tenant_id)
