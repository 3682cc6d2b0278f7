"""Writing claim events with the business transaction: the event stream row and its outbox row."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import EventEnvelope, Headers
from shared.events.registry import ClaimEvent
from shared.messaging.tables import MessagingTables
from shared.telemetry import current_traceparent


class ConcurrencyError(RuntimeError):
    """Another writer appended to the claim's stream first; reload and retry."""


def envelope_for(event: ClaimEvent, *, source: str, claim_id: str, tenant_id: str) -> EventEnvelope:
    """Wrap a typed event in the CloudEvents envelope at its current schema version."""
    return EventEnvelope(type=event.event_type, source=source, subject=str(claim_id), tenant_id=tenant_id,
                         schema_version=event.version, data=event.model_dump(mode="json"))


def encode_headers(headers: Headers) -> list[list[str]]:
    return [[key, value.decode()] for key, value in headers]


def decode_headers(stored: list[list[str]]) -> Headers:
    return [(key, value.encode()) for key, value in stored]


async def stream_version(session: AsyncSession, tables: MessagingTables, claim_id: str) -> int:
    """The last version this service appended to the claim's stream (0 when none)."""
    events = tables.claim_events
    return (await session.execute(select(func.coalesce(func.max(events.c.version), 0))
                                  .where(events.c.claim_id == claim_id))).scalar_one()


async def record_events(session: AsyncSession, tables: MessagingTables, topic: str,
                        envelopes: Sequence[EventEnvelope], expected_version: int) -> int:
    """Append envelopes to one claim's stream after expected_version and queue them for Kafka.

    Returns the new stream version. Raises ConcurrencyError when the version is taken.
    """
    if not envelopes:
        return expected_version
    traceparent = current_traceparent()
    rows = []
    for offset, envelope in enumerate(envelopes, start=1):
        rows.append({
            "event_id": envelope.id, "claim_id": envelope.subject, "version": expected_version + offset,
            "event_type": envelope.type, "schema_version": envelope.schema_version,
            "tenant_id": envelope.tenant_id, "occurred_at": envelope.time, "data": envelope.data,
            "traceparent": traceparent,
        })
    try:
        async with session.begin_nested():
            await session.execute(insert(tables.claim_events), rows)
    except IntegrityError as error:
        raise ConcurrencyError(f"claim {envelopes[0].subject} stream moved past {expected_version}") from error
    await enqueue(session, tables, [(topic, e.kafka_key(), e.kafka_headers(), e.kafka_value(), e.id)
                                    for e in envelopes], traceparent)
    return expected_version + len(envelopes)


async def enqueue(session: AsyncSession, tables: MessagingTables,
                  messages: Sequence[tuple[str, bytes | None, Headers, bytes, str]],
                  traceparent: str | None = None) -> None:
    """Queue raw messages (topic, key, headers, value, id) for the relay, inside the caller's transaction."""
    await session.execute(insert(tables.outbox), [
        {"topic": topic, "message_key": key, "headers": encode_headers(headers), "payload": value,
         "event_id": message_id, "traceparent": traceparent}
        for topic, key, headers, value, message_id in messages
    ])
