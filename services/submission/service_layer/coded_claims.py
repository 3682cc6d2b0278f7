"""Submission's consumers of coded claims and of the answers about them, each applied to a batch as a set.

claim.coded: a new claim is scrubbed (with its tenant's learned edits) and its first version queued, or
claim.scrub_failed recorded; a claim already billed is billed again when its coded encounter changed (a
replacement, or a new original when the payer never accepted it), and held while a version awaits its
277CA. claim.accepted / claim.rejected (our own) release a held re-coding. claim.remittance_posted notes the
version's outcome. Each reads what the batch needs with one query per table, decides in memory, and writes
one statement per table (service_layer/version_writes.py). The consumer hands a handler at most one event per
claim at a time, so a claim's events keep their order.

Decoding the events and the bundled scrub are CPU work without the database: `prepare` does them in a worker
thread before the transaction opens.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.submission.adapters.claim_version_sets import Adjudication, ClaimVersionSetStore, NewBillingClaim
from services.submission.adapters.repository import utcnow
from services.submission.domain.claim_correction import CorrectionNotAllowed, CorrectionTrigger
from services.submission.domain.scrubber import LIBRARY, ScrubContext, ScrubResult, bundled_payer_settings
from services.submission.domain.submission_plan import patient_control_number_for
from services.submission.service_layer.corrections import plan_correction, scrub_edits
from services.submission.service_layer.learned_edits import learned_libraries, with_learned_edits
from services.submission.service_layer.version_writes import Cause, PlannedVersion, VersionWrites
from shared.contracts.encounter import Encounter
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery, DeliveryFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CodedEncounter:
    """A claim.coded delivery read: the encounter, as stored, and the bundled scrub of a first bill."""

    encounter: Encounter
    stored: dict[str, Any]
    context: ScrubContext
    bundled: ScrubResult


def read_coded(delivery: Delivery) -> CodedEncounter:
    """Decode and scrub one claim.coded (pure CPU)."""
    encounter = delivery.event.encounter
    context = ScrubContext(today=utcnow().date(), payer_settings=bundled_payer_settings())
    return CodedEncounter(encounter, encounter.model_dump(mode="json"), context, LIBRARY.scrub(encounter, context))


class CodedClaims:
    """The claim.coded handler."""

    def __init__(self) -> None:
        # What prepare read for the consumer's current batch, by event id; replaced with each batch.
        self._prepared: dict[str, CodedEncounter | Exception] = {}

    def prepare(self, deliveries: Sequence[Delivery]) -> None:
        """Decode and scrub the batch (runs in a worker thread; never raises: apply reports the failure)."""
        prepared: dict[str, CodedEncounter | Exception] = {}
        for delivery in deliveries:
            try:
                prepared[delivery.envelope.id] = read_coded(delivery)
            except Exception as error:  # noqa: BLE001 - reported per delivery by apply
                prepared[delivery.envelope.id] = error
        self._prepared = prepared

    def _read(self, delivery: Delivery) -> CodedEncounter:
        read = self._prepared.get(delivery.envelope.id)
        if read is None:
            try:
                read = read_coded(delivery)
            except Exception as error:
                raise DeliveryFailed(delivery, error) from error
        if isinstance(read, Exception):
            raise DeliveryFailed(delivery, read) from read
        return read

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        coded = {delivery.claim_id: (delivery, self._read(delivery)) for delivery in deliveries}
        store = ClaimVersionSetStore(uow.session)
        claims = await store.lock_billing_claims(list(coded))
        first_bills = [(d, read) for claim_id, (d, read) in coded.items() if claim_id not in claims]
        # Coded again to the same result: nothing to correct.
        recoded = [(d, read) for claim_id, (d, read) in coded.items()
                   if claim_id in claims and claims[claim_id]["encounter"] != read.stored]
        writes = VersionWrites()
        if first_bills:
            learned = await learned_libraries(uow.session, {d.tenant_id for d, _ in first_bills},
                                              LIBRARY.version)
            for delivery, read in first_bills:
                bill_first_version(writes, delivery, read, learned.get(delivery.tenant_id))
        if recoded:
            histories = await store.histories([d.claim_id for d, _ in recoded])
            for delivery, read in recoded:
                claim = claims[delivery.claim_id]
                writes.change(claim, encounter=read.stored)
                try:
                    plan_correction(writes, claim, histories[delivery.claim_id], read.encounter,
                                    CorrectionTrigger.RECODED, Cause.of(delivery))
                except CorrectionNotAllowed as refused:
                    # Only a version awaiting its 277CA refuses a re-coding: whether the change goes as a 7 or a
                    # new 1 depends on that answer, so it waits for it (HeldCorrections).
                    log.info("re-coded claim held: %s", refused.reason)
                    writes.change(claim, correction_pending=True)
        await writes.write(uow.session)
        writes.emit(uow)


def bill_first_version(writes: VersionWrites, delivery: Delivery, read: CodedEncounter, learned: Any) -> None:
    """A newly coded claim: its billing claim, and version 1 (frequency 1) unless the scrubber found errors."""
    scrub = with_learned_edits(learned, read.encounter, read.context, read.bundled)
    if scrub.findings:
        # Edit ids and pointers only: the values they point at may be PHI.
        log.info("scrubber found %s", ", ".join(f"{f.edit_id}({f.severity})@{f.pointer}" for f in scrub.findings))
    blocked = scrub.blocks_submission
    writes.new_claims.append(NewBillingClaim(
        claim_id=delivery.claim_id, tenant_id=delivery.tenant_id,
        patient_control_number=patient_control_number_for(delivery.claim_id), encounter=read.stored,
        status="needs_correction" if blocked else "queued"))
    if blocked:
        writes.scrub_failed(delivery.claim_id, delivery.tenant_id, scrub_edits(scrub), Cause.of(delivery))
        return
    writes.versions.append(PlannedVersion(
        claim_id=delivery.claim_id, tenant_id=delivery.tenant_id, encounter=read.encounter, claim_version=1,
        frequency_code="1", payer_claim_control_number=None, cause=Cause.of(delivery)))


class HeldCorrections:
    """claim.accepted / claim.rejected (our own): a re-coding held for that answer is billed now."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        store = ClaimVersionSetStore(uow.session)
        # Only the envelope is read: most answers find nothing held, and cost one query for the whole batch.
        held = await store.lock_billing_claims([d.claim_id for d in deliveries], only_pending_correction=True)
        if not held:
            return
        histories = await store.histories(list(held))
        writes = VersionWrites()
        for delivery in deliveries:
            claim = held.get(delivery.claim_id)
            if claim is None:
                continue
            try:
                plan_correction(writes, claim, histories[delivery.claim_id],
                                Encounter.model_validate(claim["encounter"]), CorrectionTrigger.RECODED,
                                Cause.of(delivery))
            except CorrectionNotAllowed as refused:
                log.info("re-coded claim still held: %s", refused.reason)
                continue
            writes.change(claim, correction_pending=False)
        await writes.write(uow.session)
        writes.emit(uow)


class RemittanceOutcomes:
    """claim.remittance_posted: the version's outcome (paid, denied, reversed ...) for its history, and the
    835's CLP07 as the payer's claim control number when no 277CA gave one."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        adjudications = []
        for delivery in deliveries:
            try:
                event = delivery.event
            except Exception as error:
                raise DeliveryFailed(delivery, error) from error
            adjudications.append(Adjudication(delivery.claim_id, event.payer_id, event.claim_status,
                                              event.payer_claim_control_number))
        await ClaimVersionSetStore(uow.session).note_adjudications(adjudications)
