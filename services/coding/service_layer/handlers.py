"""Coding's use cases for claim events: code new claims and corrected encounters as a set, reopen on a denial.

New claims and corrected encounters (`CodingClaimEvents`) are applied a consumed batch at a time. Reading the notes
and deciding (CPU work, milliseconds per claim) happens in `prepare`, in a worker thread before the transaction
opens, so the service's HTTP routes and Kafka heartbeats are not held up: every note of the batch in one
`read_notes` call (one NLP pass, identical notes once), then each claim's decision without its tenant's policy.
`apply` then costs a fixed number of statements whatever the batch's size: where coding stands on the claims, the
tenants' policies, the open review items of corrected encounters superseded, the new review items, the events,
the coded_claims rows. A claim coding already wrote about is not coded again on a repeated claim.received.
A denial routed to coding (rare) is handled event by event.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.repository import CodingState, CodingStore
from services.coding.adapters.review_repository import ReviewStore, item_from_row
from services.coding.domain.coding_decision import CodingDecision, assess_coding, read_notes_of
from services.coding.domain.coding_engines import CodingEngines
from services.coding.domain.decision_rules import finding
from services.coding.domain.review_queue import ReviewItem, open_review, reopen_review
from services.coding.service_layer.coded_records import claim_coded, coded_row
from services.coding.service_layer.release_coverage import code_sets_used, count_if_assumed
from services.coding.service_layer.unit_of_work import CodingUnitOfWork, CodingWork
from shared.contracts.encounter import Encounter
from shared.errors import DomainError
from shared.events.claim_events import ClaimReceived
from shared.events.coding_events import ClaimCodingReviewRequiredV2
from shared.events.denial_events import ClaimCorrectionRequested
from shared.events.envelope import EventEnvelope
from shared.events.registry import ClaimEvent
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery, DeliveryFailed, claim_trace
from shared.messaging.outbox import envelope_for

SOURCE = "coding"
log = logging.getLogger(__name__)
NOT_CODED = CodingState(0, None)
Prepared = CodingDecision | Exception  # a claim's decision before its tenant's policy, or why there is none


class ClaimNotCoded(DomainError):
    """An event asked coding to rework a claim coding has never seen."""


@dataclass(frozen=True, slots=True)
class CodingOutcome:
    """What coding a claim writes: its coded_claims row, its review item (when it needs a coder), its event."""

    delivery: Delivery
    decision: CodingDecision  # under the tenant's policy
    row: dict
    review: ReviewItem | None
    event: EventEnvelope


class CodingClaimEvents:
    """claim.received and claim.encounter_corrected, applied as a set (see the module's docstring)."""

    def __init__(self, engines: CodingEngines,
                 unit_of_work: Callable[[ConsumerUnitOfWork], CodingWork] = CodingUnitOfWork):
        self.engines = engines
        self.unit_of_work = unit_of_work
        self._prepared: dict[int, tuple[Delivery, Prepared]] = {}  # the batch being applied, by delivery

    def prepare(self, deliveries: Sequence[Delivery]) -> None:
        """Read the batch's notes and decide every claim (a worker thread, before the transaction)."""
        self._prepared = {id(d): (d, outcome) for d, outcome in zip(deliveries, self.decide(deliveries), strict=True)}

    def decide(self, deliveries: Sequence[Delivery]) -> list[Prepared]:
        """Each delivery's decision without its tenant's policy, every note read in one call; pure CPU, never
        raises: an event that cannot be decoded or decided gets its error instead."""
        encounters: list[Encounter | Exception] = []
        for delivery in deliveries:
            try:
                encounters.append(delivery.event.encounter)
            except Exception as error:  # noqa: BLE001 - the consumer dead-letters this event alone
                encounters.append(error)
        readable = [encounter for encounter in encounters if isinstance(encounter, Encounter)]
        try:
            notes = iter(read_notes_of(readable, self.engines))
        except Exception:  # noqa: BLE001 - the engines fail before reading: each claim meets it on its own below
            notes = iter([None] * len(readable))
        decided: list[Prepared] = []
        for encounter in encounters:
            if isinstance(encounter, Exception):
                decided.append(encounter)
                continue
            try:
                decided.append(assess_coding(encounter, self.engines, next(notes)))
            except Exception as error:  # noqa: BLE001 - fails this claim only
                decided.append(error)
        return decided

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        decisions = await self._decisions(deliveries)
        work = self.unit_of_work(uow)
        states = await work.claims.states_of([(d.claim_id, d.tenant_id) for d in deliveries])
        to_code: list[tuple[Delivery, CodingDecision, str, int]] = []
        for delivery, decision in zip(deliveries, decisions, strict=True):
            state = states.get(delivery.claim_id, NOT_CODED)
            if delivery.envelope.type == ClaimReceived.event_type:
                if state.version == 0:  # else coded already: a second claim.received changes nothing
                    to_code.append((delivery, decision, "coding", 1))
            else:  # the practice corrected the encounter: any open review is superseded, the claim coded again
                to_code.append((delivery, decision, "encounter_corrected", (state.coding_round or 0) + 1))
        if not to_code:
            return
        policies = await work.policies.policies_for({delivery.tenant_id for delivery, *_ in to_code})
        await work.reviews.supersede_active([delivery.claim_id for delivery, _, trigger, _ in to_code
                                             if trigger == "encounter_corrected"], closed_by="encounter_corrected")
        outcomes = [coding_outcome(delivery, decision.under(policies[delivery.tenant_id]), trigger, coding_round)
                    for delivery, decision, trigger, coding_round in to_code]
        await work.reviews.add_all([outcome.review for outcome in outcomes if outcome.review is not None])
        for outcome in outcomes:
            work.announce([outcome.event], outcome.delivery)
        versions = await work.flush()
        await work.claims.save_all([{**outcome.row, "version": versions[outcome.delivery.claim_id]}
                                    for outcome in outcomes])
        for outcome in outcomes:
            with claim_trace(outcome.delivery):
                _record_outcome(outcome)

    async def _decisions(self, deliveries: Sequence[Delivery]) -> list[CodingDecision]:
        """The prepared decisions; those not prepared for this batch (or failed there: a retry tries again) are
        decided now, in a worker thread. A claim that cannot be decided fails alone (DeliveryFailed)."""
        outcomes = {id(d): _prepared_for(self._prepared, d) for d in deliveries}
        missing = [d for d in deliveries if not isinstance(outcomes[id(d)], CodingDecision)]
        if missing:
            outcomes.update(zip(map(id, missing), await asyncio.to_thread(self.decide, missing), strict=True))
        decisions = []
        for delivery in deliveries:
            outcome = outcomes[id(delivery)]
            if not isinstance(outcome, CodingDecision):
                raise DeliveryFailed(delivery, outcome or LookupError("no decision"))
            decisions.append(outcome)
        return decisions


def _prepared_for(prepared: dict[int, tuple[Delivery, Prepared]], delivery: Delivery) -> Prepared | None:
    """The delivery's prepared outcome (keyed by identity: the very delivery prepare saw, not a look-alike)."""
    found = prepared.get(id(delivery))
    return found[1] if found is not None and found[0] is delivery else None


def coding_outcome(delivery: Delivery, decision: CodingDecision, trigger: str, coding_round: int) -> CodingOutcome:
    """claim.coded when the decision is clean, else a review item and claim.coding_review_required; and the
    claim's coded_claims row (without its stream version, known once the event is appended)."""
    claim_id, tenant_id = delivery.claim_id, delivery.tenant_id
    review: ReviewItem | None = None
    if decision.needs_review:
        review = open_review(str(uuid.uuid4()), claim_id, tenant_id, trigger, decision, coding_round)
        event: ClaimEvent = ClaimCodingReviewRequiredV2(
            reasons=review.reasons, review_id=review.review_id, trigger=trigger)  # type: ignore[arg-type]
        status, review_id = "coding_review", review.review_id
    else:
        event = claim_coded(decision.encounter, decision.diagnoses, decision.procedures, decision.findings,
                            coding_round)
        status, review_id = "coded", None
    row = coded_row(status, decision.encounter, decision.diagnoses, decision.procedures, decision.findings,
                    coding_round, suggestions=decision.suggestions, note_status=decision.note_status,
                    review_id=review_id, code_sets=code_sets_used(decision.encounter.date_of_service))
    return CodingOutcome(delivery, decision, {"claim_id": claim_id, "tenant_id": tenant_id, **row}, review,
                         _envelope(event, delivery.envelope))


def _record_outcome(outcome: CodingOutcome) -> None:
    """The claim's log line and metric (ids, status and edit ids only: never PHI)."""
    row, decision = outcome.row, outcome.decision
    log.info("claim coded", extra={"claim_id": row["claim_id"], "coding_status": row["status"],
                                   "edit_ids": [f.edit_id for f in decision.findings]})
    count_if_assumed(row["code_sets"], row["tenant_id"], held=decision.needs_review)


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


def _envelope(event: ClaimEvent, cause: EventEnvelope) -> EventEnvelope:
    return envelope_for(event, source=SOURCE, claim_id=cause.claim_id, tenant_id=cause.tenant_id)
