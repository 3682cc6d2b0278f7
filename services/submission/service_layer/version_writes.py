"""What a set of claims' use cases decided, written one statement per table.

A consumer batch, or one HTTP correction, plans its claims in memory (new billing claims, claim state changes,
claim versions to queue, events) into a `VersionWrites`; `write` then takes the control numbers every planned
version needs in one round trip, writes each version's 837, and stores all of it with one statement per table.
Each event continues the trace of the claim it belongs to: the delivery that caused it, or the request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.claim_version_sets import (
    BillingClaimChange,
    ClaimVersionSetStore,
    NewBillingClaim,
    NewSubmission,
)
from services.submission.adapters.repository import TOPIC, utcnow
from services.submission.adapters.tables import messaging
from services.submission.domain.cob_adjudication import PriorPayerAdjudication, billed_coverage
from services.submission.domain.submission_plan import Submitter
from services.submission.service_layer.handlers import DEFAULT_SUBMITTER, SOURCE, interchange_for
from shared.contracts.encounter import Encounter
from shared.events.claim_events import ClaimScrubFailed, ScrubEdit
from shared.events.envelope import EventEnvelope
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery, DeliveryFailed
from shared.messaging.outbox import PendingEvent, append_events, envelope_for
from shared.telemetry import current_traceparent


@dataclass(frozen=True, slots=True)
class Cause:
    """Why a claim's writes happen: the consumed delivery (None for an HTTP request) and the claim's trace."""

    delivery: Delivery | None
    traceparent: str | None

    @classmethod
    def of(cls, delivery: Delivery) -> Cause:
        return cls(delivery, delivery.traceparent)

    @classmethod
    def of_request(cls) -> Cause:
        return cls(None, current_traceparent())


@dataclass(frozen=True, slots=True)
class PlannedVersion:
    """A claim version to queue; its control number and 837 are added when the set is written."""

    claim_id: str
    tenant_id: str
    encounter: Encounter
    claim_version: int
    frequency_code: str
    payer_claim_control_number: str | None
    cause: Cause
    trigger: str = "coded"
    prior_payer_adjudication: PriorPayerAdjudication | None = None
    prior_payer: dict[str, Any] | None = None
    submission_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(slots=True)
class VersionWrites:
    """The writes a set of claims' use cases planned; each claim at most once per set."""

    new_claims: list[NewBillingClaim] = field(default_factory=list)
    changes: dict[str, BillingClaimChange] = field(default_factory=dict)
    versions: list[PlannedVersion] = field(default_factory=list)
    events: list[tuple[EventEnvelope, Cause]] = field(default_factory=list)

    def change(self, claim: dict[str, Any], **values: Any) -> None:
        """Set fields of a locked billing claim (status, current_version, correction_pending, encounter)."""
        current = self.changes.get(claim["claim_id"]) or BillingClaimChange(
            claim_id=claim["claim_id"], status=claim["status"], current_version=claim["current_version"],
            correction_pending=claim["correction_pending"])
        self.changes[claim["claim_id"]] = replace(current, **values)

    def scrub_failed(self, claim_id: str, tenant_id: str, edits: list[ScrubEdit], cause: Cause) -> None:
        """claim.scrub_failed on the claim's history."""
        self.events.append((envelope_for(ClaimScrubFailed(edits=edits), source=SOURCE, claim_id=claim_id,
                                         tenant_id=tenant_id), cause))

    async def write(self, session: AsyncSession, submitter: Submitter = DEFAULT_SUBMITTER) -> None:
        """Write the claims, versions and their 837s: one statement per table, whatever the set's size.

        A version whose 837 cannot be written fails its delivery alone (DeliveryFailed), before anything is
        written; from a request it raises the writer's error."""
        store = ClaimVersionSetStore(session)
        numbers = await store.control_numbers(len(self.versions))
        now = utcnow()
        submissions = [self._submission(version, number, submitter, now)
                       for version, number in zip(self.versions, numbers, strict=True)]
        added = await store.add_billing_claims(self.new_claims)
        # A claim another transaction added first is that transaction's to bill: nothing of ours for it.
        lost = {c.claim_id for c in self.new_claims} - added
        await store.change_billing_claims(list(self.changes.values()))
        await store.add_submissions([s for s in submissions if s.claim_id not in lost])
        self.events = [(envelope, cause) for envelope, cause in self.events if envelope.subject not in lost]

    @staticmethod
    def _submission(version: PlannedVersion, number: int, submitter: Submitter, now: Any) -> NewSubmission:
        try:
            x12 = interchange_for(submitter.header(number, now), version.claim_id, version.encounter,
                                  version.claim_version, version.frequency_code, version.payer_claim_control_number,
                                  version.prior_payer_adjudication)
            coverage = billed_coverage(version.encounter, version.prior_payer_adjudication)
        except Exception as error:
            if version.cause.delivery is None:
                raise
            raise DeliveryFailed(version.cause.delivery, error) from error
        return NewSubmission(
            submission_id=version.submission_id, claim_id=version.claim_id, tenant_id=version.tenant_id,
            claim_version=version.claim_version, frequency_code=version.frequency_code,
            payer_id=coverage.payer.payer_id, interchange_control_number=number, x12=x12,
            traceparent=version.cause.traceparent, encounter=version.encounter.model_dump(mode="json"),
            payer_responsibility=coverage.priority, trigger=version.trigger,
            corrects_payer_claim_control_number=(version.payer_claim_control_number
                                                 if version.trigger != "coded" else None),
            prior_payer=version.prior_payer)

    def emit(self, uow: ConsumerUnitOfWork) -> None:
        """Queue the events on the consumer's unit of work, each continuing its own claim's trace."""
        for envelope, cause in self.events:
            uow.append(TOPIC, [envelope], cause=cause.delivery)

    async def record(self, session: AsyncSession) -> None:
        """Append the events in the caller's transaction (a request's writes)."""
        await append_events(session, messaging, [PendingEvent(TOPIC, envelope, cause.traceparent)
                                                 for envelope, cause in self.events])
