"""Writing claim events with the business transaction: event stream rows and their outbox rows, in one statement.

Any number of events for any number of claims go in one round trip: a CTE inserts the stream rows (each
claim's next versions computed in the insert from what its stream holds) and the outbox rows beside them,
in the order given, so the relay publishes each claim's events in order. The unique (claim_id, version)
constraint is the optimistic concurrency check: two writers appending to one claim at once cannot both win.
"""

from __future__ import annotations

import base64
import functools
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import TextClause, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import EventEnvelope, Headers
from shared.events.registry import ClaimEvent
from shared.messaging.tables import MessagingTables
from shared.telemetry import current_traceparent

# A stored header value that is not UTF-8 (a poison record's headers copied to its dead letter) is kept as
# base64 with this marker as a third element; UTF-8 values stay readable text.
BINARY_HEADER = "base64"


class ConcurrencyError(RuntimeError):
    """Another writer appended to the claim's stream first; reload and retry."""


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event to append to its claim's stream and queue for Kafka.

    `traceparent` is the claim's trace context the event continues (the causing event's, or the request's);
    `expected_version` is the version the writer read, or None to append after whatever the stream holds."""

    topic: str
    envelope: EventEnvelope
    traceparent: str | None
    expected_version: int | None = None


def envelope_for(event: ClaimEvent, *, source: str, claim_id: str, tenant_id: str) -> EventEnvelope:
    """Wrap a typed event in the CloudEvents envelope at its current schema version."""
    return EventEnvelope(type=event.event_type, source=source, subject=str(claim_id), tenant_id=tenant_id,
                         schema_version=event.version, data=event.model_dump(mode="json"))


def encode_headers(headers: Headers) -> list[list[str]]:
    """Headers as JSON: UTF-8 values as text, anything else as base64 (never an error)."""
    encoded = []
    for key, value in headers:
        try:
            encoded.append([key, value.decode()])
        except UnicodeDecodeError:
            encoded.append([key, base64.b64encode(value).decode(), BINARY_HEADER])
    return encoded


def decode_headers(stored: list[list[str]]) -> Headers:
    return [(item[0], base64.b64decode(item[1]) if len(item) > 2 and item[2] == BINARY_HEADER else item[1].encode())
            for item in stored]


@functools.cache
def _append_statement(schema: str) -> TextClause:
    """The one statement that appends events and queues them; built once per schema."""
    return text(f"""
        WITH input AS (
            SELECT * FROM unnest(CAST(:event_ids AS uuid[]), CAST(:claim_ids AS uuid[]), CAST(:types AS text[]),
                                 CAST(:schema_versions AS int[]), CAST(:tenant_ids AS text[]),
                                 CAST(:occurred AS timestamptz[]), CAST(:payloads AS bytea[]),
                                 CAST(:traceparents AS text[]), CAST(:expected AS int[]), CAST(:ordinals AS int[]),
                                 CAST(:topics AS text[]), CAST(:keys AS bytea[]), CAST(:headers AS jsonb[]))
                WITH ORDINALITY AS i(event_id, claim_id, event_type, schema_version, tenant_id, occurred_at,
                                     payload, traceparent, expected_version, ordinal, topic, message_key, headers,
                                     position)
        ),
        appended AS (
            INSERT INTO "{schema}".claim_events (event_id, claim_id, version, event_type, schema_version, tenant_id,
                                                 occurred_at, data, traceparent)
            SELECT i.event_id, i.claim_id,
                   COALESCE(i.expected_version, (SELECT max(e.version) FROM "{schema}".claim_events e
                                                 WHERE e.claim_id = i.claim_id), 0) + i.ordinal,
                   i.event_type, i.schema_version, i.tenant_id, i.occurred_at,
                   convert_from(i.payload, 'UTF8')::jsonb, i.traceparent
            FROM input i
            RETURNING claim_id, version
        ),
        queued AS (
            INSERT INTO "{schema}".outbox (event_id, topic, message_key, headers, payload, traceparent)
            SELECT i.event_id::text, i.topic, i.message_key, i.headers, i.payload, i.traceparent
            FROM input i ORDER BY i.position
        )
        SELECT claim_id::text AS claim_id, max(version) AS version FROM appended GROUP BY claim_id""")


async def append_events(session: AsyncSession, tables: MessagingTables,
                        events: Sequence[PendingEvent]) -> dict[str, int]:
    """Append events (any claims, in order) to their streams and the outbox in one statement.

    Returns each claim's new stream version. Raises ConcurrencyError when a version it would take is taken."""
    if not events:
        return {}
    per_claim: Counter[str] = Counter()
    ordinals = []
    for pending in events:
        per_claim[pending.envelope.subject] += 1
        ordinals.append(per_claim[pending.envelope.subject])
    envelopes = [pending.envelope for pending in events]
    parameters = {
        "event_ids": [e.id for e in envelopes], "claim_ids": [e.subject for e in envelopes],
        "types": [e.type for e in envelopes], "schema_versions": [e.schema_version for e in envelopes],
        "tenant_ids": [e.tenant_id for e in envelopes], "occurred": [e.time for e in envelopes],
        "payloads": [e.kafka_value() for e in envelopes], "traceparents": [p.traceparent for p in events],
        "expected": [p.expected_version for p in events], "ordinals": ordinals,
        "topics": [p.topic for p in events], "keys": [e.kafka_key() for e in envelopes],
        "headers": [_headers_json(e) for e in envelopes],
    }
    try:
        rows = (await session.execute(_append_statement(tables.outbox.schema or "public"), parameters)).all()
    except IntegrityError as error:
        raise ConcurrencyError(f"a stream moved on while {len(per_claim)} claim(s) were written") from error
    return {row.claim_id: row.version for row in rows}


def _headers_json(envelope: EventEnvelope) -> str:
    return json.dumps(encode_headers(envelope.kafka_headers()))


async def record_events(session: AsyncSession, tables: MessagingTables, topic: str,
                        envelopes: Sequence[EventEnvelope], expected_version: int | None = None) -> int:
    """Append one claim's events after expected_version (None: after whatever its stream holds) and queue them.

    Returns the new stream version. Raises ConcurrencyError when the version is taken."""
    if not envelopes:
        return expected_version or 0
    traceparent = current_traceparent()
    versions = await append_events(session, tables, [PendingEvent(topic, envelope, traceparent, expected_version)
                                                     for envelope in envelopes])
    return versions[envelopes[0].subject]


async def stream_version(session: AsyncSession, tables: MessagingTables, claim_id: str) -> int:
    """The last version this service appended to the claim's stream (0 when none)."""
    events = tables.claim_events
    return (await session.execute(select(func.coalesce(func.max(events.c.version), 0))
                                  .where(events.c.claim_id == claim_id))).scalar_one()


async def enqueue(session: AsyncSession, tables: MessagingTables,
                  messages: Sequence[tuple[str, bytes | None, Headers, bytes, str]],
                  traceparent: str | None = None) -> None:
    """Queue raw messages (topic, key, headers, value, id) for the relay, inside the caller's transaction."""
    if not messages:
        return
    await session.execute(insert(tables.outbox), [
        {"topic": topic, "message_key": key, "headers": encode_headers(headers), "payload": value,
         "event_id": message_id, "traceparent": traceparent}
        for topic, key, headers, value, message_id in messages
    ])
