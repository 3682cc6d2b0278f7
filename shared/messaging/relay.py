"""The outbox relay: publishes committed outbox rows to Kafka in batches, then marks them sent.

At-least-once by construction: a crash after publish and before marking sent republishes the
batch, and consumers drop the duplicates through their inbox. A transaction-scoped advisory lock
keeps one publisher per schema at a time, so per-claim order survives several instances.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import zlib

from aiokafka import AIOKafkaProducer
from opentelemetry import propagate, trace
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import on_commit
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.outbox import decode_headers
from shared.messaging.tables import MessagingTables
from shared.messaging.topics import physical_topic
from shared.metrics import meter, observe

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
PURGE_EVERY_SECONDS = 600
BACKLOG_EVERY_SECONDS = 5
published_events = meter.create_counter("claimline.outbox.published", unit="{message}",
                                        description="Outbox rows the relay published to Kafka")


def build_producer(bootstrap: str) -> AIOKafkaProducer:
    """Idempotent producer: acks from all in-sync replicas, no reordering on retry."""
    return AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all",
                            linger_ms=5, max_batch_size=256 * 1024, request_timeout_ms=30000, **kafka_client_options())


class OutboxRelay:
    """Moves outbox rows of one schema to Kafka."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: MessagingTables,
                 producer: AIOKafkaProducer, *, batch_size: int = 500, idle_seconds: float = 0.05,
                 namespace: str = ""):
        self.sessions = sessions
        self.tables = tables
        self.producer = producer
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.namespace = namespace
        schema = tables.outbox.schema or "public"
        self._lock_key = zlib.crc32(f"outbox-relay:{schema}".encode())
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        on_commit(sessions, self._wake.set)
        self._schema = schema
        self._backlog: int | None = None
        observe("claimline.outbox.backlog", "Outbox rows committed but not yet published", "{message}",
                lambda: [] if self._backlog is None or self._stopping.is_set()
                else [(self._backlog, {"schema": self._schema})])

    async def publish_batch(self) -> int:
        """Publish one batch of unsent rows; returns how many were published."""
        outbox = self.tables.outbox
        async with self.sessions() as session, session.begin():
            locked = (await session.execute(select(func.pg_try_advisory_xact_lock(self._lock_key)))).scalar()
            if not locked:
                return 0
            rows = (await session.execute(
                select(outbox.c.id, outbox.c.topic, outbox.c.message_key, outbox.c.headers, outbox.c.payload,
                       outbox.c.traceparent)
                .where(outbox.c.published_at.is_(None)).order_by(outbox.c.id).limit(self.batch_size)
            )).all()
            if not rows:
                return 0
            deliveries = []
            for row in rows:
                parent = propagate.extract({"traceparent": row.traceparent} if row.traceparent else {})
                with tracer.start_as_current_span("outbox relay", context=parent,
                                                  kind=trace.SpanKind.INTERNAL):
                    deliveries.append(await self.producer.send(
                        physical_topic(row.topic, self.namespace), value=row.payload, key=row.message_key,
                        headers=decode_headers(row.headers)))
            await asyncio.gather(*deliveries)
            await session.execute(update(outbox).where(outbox.c.id.in_([r.id for r in rows]))
                                  .values(published_at=func.now()))
        published_events.add(len(rows), {"schema": self._schema})
        return len(rows)

    async def backlog(self) -> int:
        """Rows committed but not yet published."""
        outbox = self.tables.outbox
        async with self.sessions() as session:
            return (await session.execute(select(func.count()).select_from(outbox)
                                          .where(outbox.c.published_at.is_(None)))).scalar_one()

    async def purge_published(self, older_than_hours: int = 24) -> None:
        """Delete rows published long ago: the event store keeps the history, the outbox only the queue."""
        outbox = self.tables.outbox
        async with self.sessions() as session, session.begin():
            await session.execute(delete(outbox).where(
                outbox.c.published_at < func.now() - dt.timedelta(hours=older_than_hours)))

    async def run(self) -> None:
        """Publish until stopped; back off on errors without losing rows (they stay unsent)."""
        delay = self.idle_seconds
        next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        next_backlog = time.monotonic()
        while not self._stopping.is_set():
            if time.monotonic() >= next_backlog:
                next_backlog = time.monotonic() + BACKLOG_EVERY_SECONDS
                try:
                    self._backlog = await self.backlog()
                except Exception as error:  # noqa: BLE001 - a metric only
                    log.debug("outbox backlog count failed", extra={"error": type(error).__name__})
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                try:
                    await self.purge_published()
                except Exception as error:  # noqa: BLE001 - housekeeping only
                    log.warning("outbox purge failed", extra={"error": type(error).__name__})
            try:
                published = await self.publish_batch()
                delay = self.idle_seconds
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - broker or database down: retry later
                log.warning("outbox relay batch failed", extra={"error": type(error).__name__})
                published = 0
                delay = min(max(delay * 2, 0.2), 5.0)
            if published < self.batch_size:
                # A commit in this process wakes us at once; rows from elsewhere wait one idle period.
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                except TimeoutError:
                    pass
                self._wake.clear()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

