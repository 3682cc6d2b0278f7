"""The outbox relay: publishes committed outbox rows to Kafka in batches and deletes what it published.

It wakes on work: every insert into a schema's outbox fires a statement-level trigger that NOTIFYs
`<schema>.outbox` (migration `outbox_relay`), and the relay LISTENs on a connection of its own. No
process wakes itself with its own commits and nothing polls an idle database; a slow timer only guards
against a lost notification.

One publisher per schema keeps each claim's events in order across instances: the relay's connection
holds a session-level advisory lock while it leads, so another instance waits as a standby and takes
over when the leader's connection ends. No transaction stays open while records travel to the broker:
rows are read, sent, and deleted once the broker acknowledged them. At-least-once by construction: a
crash after publishing and before deleting republishes the batch; consumers drop the copies by their
inbox. A row the broker refuses for what it is (too large, malformed) is parked in `outbox_parked` with
the reason instead of blocking every row behind it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zlib
from collections.abc import Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    CorruptRecordException,
    InvalidMessageError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from opentelemetry import trace

from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.outbox import decode_headers
from shared.messaging.tables import MessagingTables
from shared.messaging.topics import physical_topic
from shared.metrics import meter, observe

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
BACKLOG_EVERY_SECONDS = 5
STANDBY_RETRY_SECONDS = 2.0
# Errors that are about the record itself: sending it again cannot succeed.
REFUSED_RECORD_ERRORS = (MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError,
                         CorruptRecordException, InvalidMessageError)
MAX_REQUEST_BYTES = 1024 * 1024  # the broker's default message.max.bytes; intake caps bodies well below it
published_events = meter.create_counter("claimline.outbox.published", unit="{message}",
                                        description="Outbox rows the relay published to Kafka")
parked_events = meter.create_counter("claimline.outbox.parked", unit="{message}",
                                     description="Outbox rows the broker refused, parked with their reason")


def build_producer(bootstrap: str, **options: Any) -> AIOKafkaProducer:
    """Idempotent producer: acks from all in-sync replicas, no reordering on retry."""
    return AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5,
                            max_batch_size=256 * 1024, max_request_size=MAX_REQUEST_BYTES,
                            request_timeout_ms=30000, **{**kafka_client_options(), **options})


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL as asyncpg takes it."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def notify_channel(schema: str) -> str:
    """The channel the outbox trigger of a schema notifies (see shared/messaging/migration.py)."""
    return f"{schema}.outbox"


class OutboxRelay:
    """Moves outbox rows of one schema to Kafka; one leader per schema at a time."""

    def __init__(self, database_url: str, tables: MessagingTables, producer: AIOKafkaProducer, *,
                 batch_size: int = 500, idle_seconds: float = 5.0, namespace: str = ""):
        self.dsn = asyncpg_dsn(database_url)
        self.tables = tables
        self.producer = producer
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.namespace = namespace
        self.schema = tables.outbox.schema or "public"
        self._lock_key = zlib.crc32(f"outbox-relay:{self.schema}".encode())
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._backlog: int | None = None
        self.leading = False
        observe("claimline.outbox.backlog", "Outbox rows committed but not yet published", "{message}",
                lambda: [] if self._backlog is None or self._stopping.is_set()
                else [(self._backlog, {"schema": self.schema})])

    async def run(self) -> None:
        """Lead (or wait as a standby) and publish until stopped; reconnect after any failure, losing nothing."""
        delay = 0.2
        while not self._stopping.is_set():
            try:
                await self._lead()
                delay = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - broker or database down: the rows wait, so do we
                log.warning("outbox relay interrupted", extra={"schema": self.schema, "error": type(error).__name__})
                await self._sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _lead(self) -> None:
        connection = await asyncpg.connect(self.dsn)
        try:
            while not await connection.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_key):
                if await self._sleep(STANDBY_RETRY_SECONDS):
                    return
            self.leading = True
            await connection.add_listener(notify_channel(self.schema), self._notified)
            next_backlog = 0.0
            while not self._stopping.is_set():
                self._wake.clear()
                published = await self.publish_batch(connection)
                if time.monotonic() >= next_backlog:
                    next_backlog = time.monotonic() + BACKLOG_EVERY_SECONDS
                    self._backlog = await self._count(connection)
                if published < self.batch_size:
                    await self._sleep(self.idle_seconds)
        finally:
            self.leading = False
            await connection.close(timeout=5)

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _sleep(self, seconds: float) -> bool:
        """Wait for a notification, a stop or the timeout; True when stopping."""
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            pass
        return self._stopping.is_set()

    async def publish_batch(self, connection: asyncpg.Connection) -> int:
        """Publish one batch of rows in id order; returns how many left the outbox (published or parked)."""
        rows = await connection.fetch(
            f'SELECT id, topic, message_key, headers, payload, traceparent FROM "{self.schema}".outbox '
            "ORDER BY id LIMIT $1", self.batch_size)
        if not rows:
            return 0
        with tracer.start_as_current_span("outbox relay publish", kind=trace.SpanKind.PRODUCER, attributes={
                "messaging.system": "kafka", "messaging.batch.message_count": len(rows), "db.schema": self.schema}):
            outcomes = await self._send_in_order(rows)
        published = [row["id"] for row, outcome in zip(rows, outcomes, strict=True) if outcome is None]
        refused = [(row, outcome) for row, outcome in zip(rows, outcomes, strict=True)
                   if isinstance(outcome, REFUSED_RECORD_ERRORS)]
        if published:
            await connection.execute(f'DELETE FROM "{self.schema}".outbox WHERE id = ANY($1::bigint[])', published)
            published_events.add(len(published), {"schema": self.schema})
        if refused:
            await self._park(connection, refused)
        failed = len(rows) - len(published) - len(refused)
        if failed:
            # the broker is away: back off; the rows stay and go again
            raise next(o for o in outcomes if o is not None and not isinstance(o, REFUSED_RECORD_ERRORS))
        return len(rows)

    async def _send_in_order(self, rows: Sequence[asyncpg.Record]) -> list[BaseException | None]:
        """Hand every row to the producer in id order (so a claim's records keep their order on its partition),
        then wait for the broker's acknowledgements; each row's outcome is None or its error."""
        deliveries: list[asyncio.Future | BaseException] = []
        for row in rows:
            headers = decode_headers(json.loads(row["headers"]))
            if row["traceparent"]:
                headers.append(("traceparent", row["traceparent"].encode()))
            try:
                deliveries.append(await self.producer.send(
                    physical_topic(row["topic"], self.namespace), value=row["payload"], key=row["message_key"],
                    headers=headers))
            except REFUSED_RECORD_ERRORS as refused:  # too large for the producer: refused before sending
                deliveries.append(refused)
        outcomes: list[BaseException | None] = []
        for delivery in deliveries:
            if isinstance(delivery, BaseException):
                outcomes.append(delivery)
                continue
            try:
                await delivery
                outcomes.append(None)
            except Exception as error:  # noqa: BLE001 - sorted by the caller: refused, or the broker is away
                outcomes.append(error)
        return outcomes

    async def _park(self, connection: asyncpg.Connection,
                    refused: Sequence[tuple[asyncpg.Record, BaseException]]) -> None:
        ids = [row["id"] for row, _ in refused]
        reasons = [f"{type(error).__name__}: the broker refused the record ({len(row['payload'])} bytes)"
                   for row, error in refused]
        async with connection.transaction():
            await connection.execute(
                f'INSERT INTO "{self.schema}".outbox_parked (id, event_id, topic, message_key, headers, payload, '
                "traceparent, created_at, reason) "
                f'SELECT o.id, o.event_id, o.topic, o.message_key, o.headers, o.payload, o.traceparent, o.created_at, '
                f'r.reason FROM "{self.schema}".outbox o JOIN unnest($1::bigint[], $2::text[]) AS r(id, reason) '
                "ON r.id = o.id ON CONFLICT (id) DO NOTHING", ids, reasons)
            await connection.execute(f'DELETE FROM "{self.schema}".outbox WHERE id = ANY($1::bigint[])', ids)
        parked_events.add(len(ids), {"schema": self.schema})
        for (row, _), reason in zip(refused, reasons, strict=True):
            log.error("outbox row parked", extra={"schema": self.schema, "outbox_id": row["id"],
                                                  "topic": row["topic"], "reason": reason})

    async def _count(self, connection: asyncpg.Connection) -> int:
        return await connection.fetchval(f'SELECT count(*) FROM "{self.schema}".outbox')

    async def drain(self) -> int:
        """Publish everything queued now on a connection of its own (tests and tools); returns how many left."""
        connection = await asyncpg.connect(self.dsn)
        try:
            total = 0
            while (count := await self.publish_batch(connection)) > 0:
                total += count
            return total
        finally:
            await connection.close()

    async def backlog(self) -> int:
        """Rows committed but not yet published."""
        connection = await asyncpg.connect(self.dsn)
        try:
            return await self._count(connection)
        finally:
            await connection.close()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
