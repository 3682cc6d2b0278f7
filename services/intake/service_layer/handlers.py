"""Intake's use cases: accept an encounter (idempotently) and project lifecycle events."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.repository import ClaimStore
from services.intake.domain.claim import (
    DuplicateEncounter,
    IdempotencyKeyReused,
    receive_encounter,
    request_fingerprint,
)
from services.intake.domain.status import status_after, timeline_summary
from shared.contracts.encounter import Encounter
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
    response = {"claim_id": claim.claim_id, "status": "received", "external_id": encounter.external_id}
    if idempotency_key is not None:
        await store.save_response(tenant_id, idempotency_key, 202, response)
    return 202, response


async def project_lifecycle_event(session: AsyncSession, _event: object, envelope: EventEnvelope) -> None:
    """Put any service's claim event on the claim's timeline and update its status."""
    await ClaimStore(session).project(envelope, status_after(envelope.type, envelope.data),
                                      timeline_summary(envelope.type, envelope.data), current_trace_id())
