"""Intake's use case for a new encounter: accept it (idempotently) as a claim, in one round trip.

The timeline projection of every service's events is `service_layer/timeline.py`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.adapters.encounter_intake import ClaimRow, EncounterIntakeStore
from services.intake.domain.claim import (
    DuplicateEncounter,
    IdempotencyKeyReused,
    NewClaim,
    legacy_request_fingerprint,
    receive_encounter,
    request_fingerprint,
)
from services.intake.domain.outbound_webhooks import StatusChange, encode_body, status_changed_payload
from shared.contracts.encounter import Encounter
from shared.db import is_contention
from shared.messaging.outbox import encode_headers
from shared.messaging.topics import events_topic
from shared.telemetry import current_traceparent

TOPIC = events_topic("intake")
CONTENTION_ATTEMPTS = 3


def claim_row(claim: NewClaim, traceparent: str | None) -> ClaimRow:
    """What the statement stores for a new claim: the row, its claim.received, its `received` webhook body."""
    encounter, received = claim.encounter, claim.received
    change = StatusChange(tenant_id=claim.tenant_id, claim_id=claim.claim_id, external_id=encounter.external_id,
                          status="received", previous_status=None, event_type=received.type,
                          event_id=received.id, occurred_at=received.time)
    return ClaimRow(
        claim_id=claim.claim_id, tenant_id=claim.tenant_id, external_id=encounter.external_id,
        claim_type=encounter.claim_type, payer_id=encounter.primary_coverage.payer.payer_id,
        date_of_service=encounter.date_of_service.isoformat(), total_charge=encounter.total_charge,
        received_at=received.time, event_id=received.id, event_type=received.type,
        schema_version=received.schema_version, payload=claim.payload,
        headers=json.dumps(encode_headers(received.kafka_headers())), topic=TOPIC, traceparent=traceparent,
        webhook_body=encode_body(status_changed_payload(change, received.time)))


async def accept_encounter(engine: AsyncEngine, tenant_id: str, encounter: Encounter,
                           idempotency_key: str | None) -> tuple[int, dict[str, Any]]:
    """Create the claim for an encounter; returns (status code, response body).

    With an Idempotency-Key the first response is stored with the claim, in the same statement, so a
    retry replays it and concurrent duplicates wait on the key and then replay. Raises DuplicateEncounter
    (the tenant's external id is another claim's) and IdempotencyKeyReused (same key, other body)."""
    claim = receive_encounter(tenant_id, encounter)
    response = {"claim_id": claim.claim_id, "status": "received", "external_id": encounter.external_id}
    fingerprint = request_fingerprint(encounter) if idempotency_key is not None else None
    row = claim_row(claim, current_traceparent())
    async with engine.connect() as connection:
        store = EncounterIntakeStore(await connection.execution_options(isolation_level="AUTOCOMMIT"))
        for attempt in range(1, CONTENTION_ATTEMPTS + 1):
            try:
                created, key_taken = await store.insert(row, idempotency_key, fingerprint, response)
                break
            except Exception as error:
                if attempt == CONTENTION_ATTEMPTS or not is_contention(error):
                    raise
        if created:
            return 202, response
        if idempotency_key is not None and not key_taken:
            stored = await store.stored_response(tenant_id, idempotency_key)
            if stored is not None:
                if stored.request_hash not in (fingerprint, legacy_request_fingerprint(encounter)):
                    raise IdempotencyKeyReused("this Idempotency-Key was used with a different request body")
                if stored.claim_exists or stored.status_code != 202:
                    return stored.status_code, stored.response
        existing = await store.claim_by_external_id(tenant_id, encounter.external_id)
    raise DuplicateEncounter(existing or "unknown")
