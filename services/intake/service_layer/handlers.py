"""Intake's use cases: accept an encounter (idempotently) and project lifecycle events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.claim_listing import ClaimBalances
from services.intake.adapters.lifecycle_metrics import record_lifecycle_event
from services.intake.adapters.repository import ClaimStore
from services.intake.domain.balances import remittance_change
from services.intake.domain.claim import (
    DuplicateEncounter,
    IdempotencyKeyReused,
    receive_encounter,
    request_fingerprint,
)
from services.intake.domain.outbound_webhooks import FORWARDED_FIELDS, StatusChange
from services.intake.domain.status import status_after, timeline_summary
from services.intake.service_layer.webhook_deliveries import enqueue_forwarded_event, enqueue_status_change
from shared.contracts.encounter import Encounter
from shared.events.claim_events import RemittancePosted
from shared.events.envelope import EventEnvelope
from shared.telemetry import current_trace_id


async def accept_encounter(session: AsyncSession, tenant_id: str, encounter: Encounter,
                           idempotency_key: str | None) -> tuple[int, dict[str, Any]]:
    """Create the claim for an encounter; returns (status code, response body).

    With an Idempotency-Key the first response is stored in the same transaction as the claim,
    so a retry replays it and concurrent duplicates wait on the key and then replay.
    """
    store = ClaimStore(session)
    body = encounter.model_dump(mode="json")
    if idempotency_key is not None:
        fingerprint = request_fingerprint(body)
        if not await store.reserve_key(tenant_id, idempotency_key, fingerprint):
            stored = await store.stored_response(tenant_id, idempotency_key)
            assert stored is not None
            stored_hash, status_code, response = stored
            if stored_hash != fingerprint:
                raise IdempotencyKeyReused("this Idempotency-Key was used with a different request body")
            return status_code, response
    existing = await store.claim_by_external_id(tenant_id, encounter.external_id)
    if existing is not None:
        raise DuplicateEncounter(existing)
    claim = receive_encounter(tenant_id, encounter)
    if not await store.add(claim):
        raise DuplicateEncounter(await store.claim_by_external_id(tenant_id, encounter.external_id) or "unknown")
    # A new claim's first status is a change too (from none to received): its webhooks go with the claim.
    received = claim.events[0]
    await enqueue_status_change(session, StatusChange(
        tenant_id=tenant_id, claim_id=claim.claim_id, external_id=encounter.external_id, status="received",
        previous_status=None, event_type=received.type, event_id=received.id, occurred_at=received.time),
        received.time)
    response = {"claim_id": claim.claim_id, "status": "received", "external_id": encounter.external_id}
    if idempotency_key is not None:
        await store.save_response(tenant_id, idempotency_key, 202, response)
    return 202, response


async def project_lifecycle_event(session: AsyncSession, event: object, envelope: EventEnvelope) -> None:
    """Put any service's claim event on the claim's timeline, update its status, queue its webhooks."""
    change = await ClaimStore(session).project(envelope, status_after(envelope.type, envelope.data),
                                               timeline_summary(envelope.type, envelope.data), current_trace_id())
    if change is not None:
        await enqueue_status_change(session, change, dt.datetime.now(dt.UTC))
    received_at = await ClaimStore(session).received_at(envelope.claim_id) if change is not None else None
    record_lifecycle_event(envelope, change, received_at)
    if envelope.type in FORWARDED_FIELDS:
        claim = await ClaimStore(session).get(envelope.tenant_id, envelope.claim_id)
        if claim is not None:
            await enqueue_forwarded_event(session, envelope, claim["status"], dt.datetime.now(dt.UTC))
    if isinstance(event, RemittancePosted):
        await ClaimBalances(session).apply(envelope.claim_id, remittance_change(event))
