"""Intake's SQL for accepting an encounter: one statement, one round trip, committed on its own.

The statement takes the Idempotency-Key (when given), inserts the claim, appends claim.received to the
claim's stream, queues it in the outbox and queues the `received` status webhook for every subscribed
endpoint. Each step depends on the one before through RETURNING, so a key held by an earlier request, or
an external id taken by another claim, writes nothing after it. A second, read-only round trip is needed
only for those two answers (replay the stored response; name the existing claim).

Concurrent requests with one key serialise on the key's unique index: the second waits for the first to
commit and then replays its answer. When a new key is taken but the external id turns out to be another
claim's (two keys racing for one external id), the key is left holding a 202 for a claim that does not
exist; a replay of that key checks the claim exists and answers the duplicate instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection

SCHEMA = "intake"
KEY_LIFETIME = "24 hours"


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """The claims row of a new claim, and its first event as stored and published."""

    claim_id: str
    tenant_id: str
    external_id: str
    claim_type: str
    payer_id: str
    date_of_service: str
    total_charge: Decimal
    received_at: dt.datetime
    event_id: str
    event_type: str
    schema_version: int
    payload: bytes  # the event's JSON; the claim's encounter is read from it by the database
    headers: str  # the event's Kafka headers as stored in the outbox (JSON)
    topic: str
    traceparent: str | None
    webhook_body: str  # the `received` status change, for subscribed endpoints


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_hash: str
    status_code: int
    response: dict[str, Any]
    claim_exists: bool


_CLAIM_COLUMNS = """claim_id, tenant_id, external_id, claim_type, status, status_at, payer_id, date_of_service,
                    total_charge, encounter, version"""
# Every parameter is cast: the server infers a parameter's type from where it first appears, and a
# parameter in a SELECT list would otherwise be text.
_CLAIM_VALUES = """CAST(:claim_id AS uuid), CAST(:tenant_id AS text), CAST(:external_id AS text),
                   CAST(:claim_type AS text), 'received', CAST(:received_at AS timestamptz), CAST(:payer_id AS text),
                   CAST(:date_of_service AS text), CAST(:total_charge AS numeric),
                   (convert_from(CAST(:payload AS bytea), 'UTF8')::jsonb) -> 'encounter', 1"""
_AFTER_CLAIM = f"""
    appended AS (
        INSERT INTO {SCHEMA}.claim_events (event_id, claim_id, version, event_type, schema_version, tenant_id,
                                           occurred_at, data, traceparent)
        SELECT CAST(:event_id AS uuid), claim_id, 1, CAST(:event_type AS text), CAST(:schema_version AS int),
               CAST(:tenant_id AS text), CAST(:received_at AS timestamptz),
               convert_from(CAST(:payload AS bytea), 'UTF8')::jsonb, CAST(:traceparent AS text) FROM claim
    ),
    queued AS (
        INSERT INTO {SCHEMA}.outbox (event_id, topic, message_key, headers, payload, traceparent)
        SELECT CAST(:event_id AS text), CAST(:topic AS text), convert_to(CAST(:claim_id AS text), 'UTF8'),
               CAST(:headers AS jsonb), CAST(:payload AS bytea), CAST(:traceparent AS text) FROM claim
    ),
    hooks AS (
        INSERT INTO {SCHEMA}.webhook_deliveries (delivery_id, endpoint_id, tenant_id, event_type, event_id,
                                                 claim_id, claim_status, body, traceparent, status, queued_at,
                                                 next_attempt_at)
        SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.endpoint_id, CAST(:tenant_id AS text),
               'claim.status_changed', CAST(:event_id AS text), c.claim_id, 'received', CAST(:webhook_body AS text),
               CAST(:traceparent AS text), 'pending', CAST(:received_at AS timestamptz),
               CAST(:received_at AS timestamptz)
        FROM claim c JOIN {SCHEMA}.webhook_endpoints e
          ON e.tenant_id = CAST(:tenant_id AS text) AND e.status = 'enabled'
         AND 'claim.status_changed' = ANY(e.event_types)
        ON CONFLICT ON CONSTRAINT webhook_deliveries_event_key DO NOTHING
    )"""


@functools.cache
def _accept_statement(with_key: bool) -> TextClause:
    if not with_key:
        return text(f"""
            WITH claim AS (
                INSERT INTO {SCHEMA}.claims ({_CLAIM_COLUMNS}) VALUES ({_CLAIM_VALUES})
                ON CONFLICT ON CONSTRAINT claims_tenant_external_key DO NOTHING RETURNING claim_id
            ),{_AFTER_CLAIM}
            SELECT (SELECT count(*) FROM claim) AS created, 0 AS key_taken""")
    return text(f"""
        WITH key AS (
            INSERT INTO {SCHEMA}.idempotency_keys (tenant_id, idempotency_key, request_hash, status_code, response)
            VALUES (CAST(:tenant_id AS text), CAST(:idempotency_key AS text), CAST(:request_hash AS text), 202,
                    CAST(:response AS jsonb))
            ON CONFLICT (tenant_id, idempotency_key) DO UPDATE
                SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code,
                    response = EXCLUDED.response, created_at = now()
                WHERE {SCHEMA}.idempotency_keys.created_at <= now() - interval '{KEY_LIFETIME}'
            RETURNING 1
        ),
        claim AS (
            INSERT INTO {SCHEMA}.claims ({_CLAIM_COLUMNS}) SELECT {_CLAIM_VALUES} FROM key
            ON CONFLICT ON CONSTRAINT claims_tenant_external_key DO NOTHING RETURNING claim_id
        ),{_AFTER_CLAIM}
        SELECT (SELECT count(*) FROM claim) AS created, (SELECT count(*) FROM key) AS key_taken""")


_STORED_RESPONSE = text(f"""
    SELECT k.request_hash, k.status_code, k.response,
           EXISTS (SELECT 1 FROM {SCHEMA}.claims c WHERE c.tenant_id = k.tenant_id
                   AND c.claim_id::text = k.response ->> 'claim_id') AS claim_exists
    FROM {SCHEMA}.idempotency_keys k
    WHERE k.tenant_id = :tenant_id AND k.idempotency_key = :idempotency_key
      AND k.created_at > now() - interval '{KEY_LIFETIME}'""")
_CLAIM_BY_EXTERNAL_ID = text(f"SELECT claim_id::text FROM {SCHEMA}.claims "
                             "WHERE tenant_id = :tenant_id AND external_id = :external_id")


class EncounterIntakeStore:
    """Intake's writes for new encounters, on a connection in autocommit mode (each statement commits)."""

    def __init__(self, connection: AsyncConnection):
        self.connection = connection

    async def insert(self, row: ClaimRow, idempotency_key: str | None, request_hash: str | None,
                     response: dict[str, Any] | None) -> tuple[bool, bool]:
        """Store the claim and everything that goes with it; returns (created, key_taken)."""
        parameters: dict[str, Any] = {
            "claim_id": row.claim_id, "tenant_id": row.tenant_id, "external_id": row.external_id,
            "claim_type": row.claim_type, "received_at": row.received_at, "payer_id": row.payer_id,
            "date_of_service": row.date_of_service, "total_charge": row.total_charge, "payload": row.payload,
            "event_id": row.event_id, "event_type": row.event_type, "schema_version": row.schema_version,
            "traceparent": row.traceparent, "topic": row.topic, "headers": row.headers,
            "webhook_body": row.webhook_body}
        if idempotency_key is not None:
            parameters.update(idempotency_key=idempotency_key, request_hash=request_hash,
                              response=json.dumps(response))
        result = (await self.connection.execute(_accept_statement(idempotency_key is not None), parameters)).one()
        return bool(result.created), bool(result.key_taken)

    async def stored_response(self, tenant_id: str, idempotency_key: str) -> StoredResponse | None:
        row = (await self.connection.execute(_STORED_RESPONSE, {
            "tenant_id": tenant_id, "idempotency_key": idempotency_key})).first()
        return StoredResponse(row.request_hash, row.status_code, row.response, row.claim_exists) if row else None

    async def claim_by_external_id(self, tenant_id: str, external_id: str) -> str | None:
        return (await self.connection.execute(_CLAIM_BY_EXTERNAL_ID, {
            "tenant_id": tenant_id, "external_id": external_id})).scalar()
