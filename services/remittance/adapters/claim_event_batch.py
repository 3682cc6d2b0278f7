"""Append events to many claims' streams and queue them for Kafka: a read and two COPYs for any number of claims.

A local stand-in for the multi-claim append the integrator is adding to shared/messaging/outbox.py:
`record_events` there takes one claim per call (a version read, a savepoint, an insert and an outbox
insert each), which is most of an 835's posting time. Switch `record_for_claims` over once that lands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.posting_store import UUIDS, EncodedJson, _in, copy_rows
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import ConcurrencyError, encode_headers
from shared.messaging.tables import MessagingTables
from shared.telemetry import current_traceparent


async def record_for_claims(session: AsyncSession, tables: MessagingTables, topic: str,
                            envelopes: Sequence[EventEnvelope]) -> None:
    """Append each envelope to its claim's stream (in the order given per claim) and queue it for the relay.

    Raises ConcurrencyError when another writer took one of the versions (callers hold the claims' locks).
    """
    if not envelopes:
        return
    events = tables.claim_events
    claim_ids = sorted({e.subject for e in envelopes})
    last = dict((await session.execute(
        select(events.c.claim_id, func.max(events.c.version)).where(_in(events.c.claim_id, claim_ids, UUIDS))
        .group_by(events.c.claim_id))).all())
    appended: dict[str, int] = defaultdict(int)
    traceparent = current_traceparent()
    rows, queued = [], []
    for envelope in envelopes:
        appended[envelope.subject] += 1
        value = envelope.kafka_value()  # the payload's JSON once, for the stream row and the outbox row
        rows.append({"event_id": envelope.id, "claim_id": envelope.subject,
                     "version": last.get(envelope.subject, 0) + appended[envelope.subject],
                     "event_type": envelope.type, "schema_version": envelope.schema_version,
                     "tenant_id": envelope.tenant_id, "occurred_at": envelope.time, "data": EncodedJson(value.decode()),
                     "traceparent": traceparent})
        queued.append({"topic": topic, "message_key": envelope.kafka_key(),
                       "headers": encode_headers(envelope.kafka_headers()), "payload": value, "event_id": envelope.id,
                       "traceparent": traceparent})
    try:
        async with session.begin_nested():
            await copy_rows(session, events, EVENT_COLUMNS, rows)
    except UniqueViolationError as error:
        raise ConcurrencyError(f"a stream of {len(claim_ids)} claims moved while posting") from error
    await copy_rows(session, tables.outbox, OUTBOX_COLUMNS, queued)


EVENT_COLUMNS = ["event_id", "claim_id", "version", "event_type", "schema_version", "tenant_id", "occurred_at", "data",
                 "traceparent"]
OUTBOX_COLUMNS = ["topic", "message_key", "headers", "payload", "event_id", "traceparent"]

