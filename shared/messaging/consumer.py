"""Idempotent, batch-applying Kafka consumer with dead letters.

A batch from the broker is applied in one database transaction, one inbox row per event; the
Kafka offsets are committed only after that transaction commits. A redelivered event finds its
inbox row and is skipped. An event that cannot be decoded, or whose handler fails
`max_attempts` times, is written to `<topic>.dlq` (through the outbox, so atomically with its
inbox row) with headers that give the reason and origin, and the consumer moves on. Database or
broker outages are not the event's fault: the batch is rolled back and retried from its offsets.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import propagate, trace
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.errors import DomainError
from shared.events.envelope import EnvelopeError, EventEnvelope
from shared.events.registry import ContractRegistry, EventContractError, UnknownEventError
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.outbox import enqueue
from shared.messaging.tables import MessagingTables
from shared.messaging.topics import dead_letter_topic, logical_topic, physical_topic
from shared.metrics import meter, observe
from shared.telemetry import claim_span_attributes, payer_of

REPLAYED_FROM = "dlq_replayed_from"  # set by shared.messaging.dead_letters on a re-driven message
REPLAYED_FOR = "dlq_replayed_for"  # the consumer group that dead-lettered it: the only one to apply it
log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

Handler = Callable[[AsyncSession, Any, EventEnvelope], Awaitable[None]]
UNDECODABLE = (EnvelopeError, UnknownEventError, EventContractError)
events_processed = meter.create_counter(
    "claimline.consumer.events", unit="{event}",
    description="Events a consumer group handled, by outcome (applied, skipped as duplicate, dead_lettered)")


class TransientFailure(Exception):
    """Infrastructure, not the event, failed: retry the whole batch later."""


# PostgreSQL error classes that say "try again" about the server, not about the event: connection
# exceptions (08), operator intervention such as a shutdown or a server still starting (57P), insufficient
# resources (53), serialization failures and deadlocks (40001, 40P01).
TRANSIENT_SQLSTATE_PREFIXES = ("08", "57P", "53", "40001", "40P01")


def is_transient(error: BaseException) -> bool:
    """Connection-level failures are retried forever; everything else counts against the event.

    The whole cause chain is read: SQLAlchemy wraps the driver's error, and an error raised while
    connecting (PostgreSQL restarting: 57P03 'cannot connect now') reaches us unwrapped."""
    if isinstance(error, IntegrityError):
        return False
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (OSError, ConnectionError, TimeoutError, KafkaError)):
            return True
        if isinstance(current, DBAPIError) and (current.connection_invalidated or type(current).__name__ in {
                "OperationalError", "InterfaceError"}):
            return True
        if isinstance(current, asyncpg.exceptions.InterfaceError) or "connection" in type(current).__name__.lower():
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(TRANSIENT_SQLSTATE_PREFIXES):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def safe_reason(error: BaseException) -> str:
    """A dead-letter reason: our own errors are PHI-free by contract; others give only their type."""
    if isinstance(error, (DomainError, *UNDECODABLE)):
        return f"{type(error).__name__}: {error}"[:1000]
    return f"{type(error).__name__} while applying the event"


class ClaimEventConsumer:
    """Consumes claim events for one consumer group and applies them with typed handlers."""

    def __init__(self, *, name: str, topics: Sequence[str], bootstrap: str,
                 sessions: async_sessionmaker[AsyncSession], tables: MessagingTables,
                 registry: ContractRegistry, handlers: dict[str, Handler],
                 max_attempts: int = 3, batch_size: int = 500, namespace: str = ""):
        self.name = name
        self.topics = list(topics)
        self.bootstrap = bootstrap
        self.sessions = sessions
        self.tables = tables
        self.registry = registry
        self.handlers = handlers
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.namespace = namespace
        self.consumer: AIOKafkaConsumer | None = None
        self._stopping = asyncio.Event()
        self._lag: dict[tuple[str, int], int] = {}
        observe("claimline.consumer.lag", "Messages behind the partition's high watermark, per consumer group",
                "{message}", self._lag_observations)

    def _lag_observations(self) -> list[tuple[float, dict[str, str]]]:
        if self._stopping.is_set():
            return []
        return [(lag, {"consumer_group": self.name, "topic": topic, "partition": str(partition)})
                for (topic, partition), lag in self._lag.items()]

    def _record_lag(self, records: Sequence[ConsumerRecord]) -> None:
        assert self.consumer is not None
        for record in records:
            highwater = self.consumer.highwater(TopicPartition(record.topic, record.partition))
            if highwater is not None:
                self._lag[(logical_topic(record.topic, self.namespace), record.partition)] = max(
                    highwater - record.offset - 1, 0)

    async def start(self) -> None:
        """Join the group; self.consumer is set only once started, so a failed start can be retried."""
        consumer = AIOKafkaConsumer(
            *[physical_topic(t, self.namespace) for t in self.topics], bootstrap_servers=self.bootstrap,
            group_id=physical_topic(self.name, self.namespace),
            enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=self.batch_size,
            session_timeout_ms=30000, heartbeat_interval_ms=3000, **kafka_client_options())
        try:
            await consumer.start()
        except BaseException:
            await consumer.stop()
            raise
        self.consumer = consumer

    async def stop(self) -> None:
        self._stopping.set()
        if self.consumer is not None:
            await self.consumer.stop()

    async def run(self) -> None:
        """Poll, apply, commit; until stopped."""
        assert self.consumer is not None, "start() first"
        backoff = 0.2
        while not self._stopping.is_set():
            batches = await self.consumer.getmany(timeout_ms=200, max_records=self.batch_size)
            records = [r for partition_records in batches.values() for r in partition_records]
            if not records:
                continue
            try:
                await self.apply(records)
            except TransientFailure as failure:
                log.warning("consumer batch rolled back; will retry",
                            extra={"consumer": self.name, "error": str(failure)})
                for partition, partition_records in batches.items():
                    self.consumer.seek(partition, partition_records[0].offset)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.2
            await self.commit(records)
            self._record_lag(records)

    async def commit(self, records: Sequence[ConsumerRecord]) -> None:
        """Commit the offsets after the records (only after their transaction committed)."""
        assert self.consumer is not None
        offsets: dict[TopicPartition, int] = {}
        for record in records:
            partition = TopicPartition(record.topic, record.partition)
            offsets[partition] = max(offsets.get(partition, 0), record.offset + 1)
        try:
            await self.consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as error:
            # Applied already; a redelivery after the rebalance is absorbed by the inbox.
            log.warning("offset commit failed", extra={"consumer": self.name, "error": type(error).__name__})

    async def apply(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply records in one transaction; raises TransientFailure when infrastructure failed."""
        try:
            async with self.sessions() as session, session.begin():
                for record in records:
                    await self._apply_one(session, record)
        except TransientFailure:
            raise
        except Exception as error:
            if is_transient(error):
                raise TransientFailure(type(error).__name__) from error
            raise

    async def _apply_one(self, session: AsyncSession, record: ConsumerRecord) -> None:
        replayed_for = next((v for k, v in record.headers if k == REPLAYED_FOR), None)
        if replayed_for is not None and replayed_for.decode("utf-8", "replace") != self.name:
            return  # a replay for another consumer group; this one applied or dead-lettered it already
        try:
            envelope = EventEnvelope.from_kafka(record.headers, record.value)
            handler = self.handlers.get(envelope.type)
            if handler is None:
                # Another consumer's business, unless nobody here knows the type: then it may be ours
                # from a newer producer, and it waits in the dead-letter topic for a replay.
                if envelope.type not in self.registry.current:
                    raise UnknownEventError(f"unknown event type {envelope.type!r}")
                return
            event = self.registry.decode(envelope)
        except UNDECODABLE as error:
            await self._dead_letter(session, record, _record_id(record), safe_reason(error), attempts=0)
            return
        if not await self._claim_inbox(session, record, envelope.id):
            events_processed.add(1, {"consumer_group": self.name, "outcome": "duplicate"})
            return
        parent = propagate.extract({k: v.decode() for k, v in record.headers if k == "traceparent" and v})
        attributes = {
            "messaging.system": "kafka", "messaging.operation.type": "process",
            "messaging.destination.name": record.topic, "messaging.consumer.group.name": self.name,
            "messaging.kafka.offset": record.offset, "messaging.destination.partition.id": str(record.partition),
            "messaging.message.id": envelope.id, "event.type": envelope.type,
            **claim_span_attributes(envelope.claim_id, envelope.tenant_id, payer_of(envelope.data),
                                    stage=self.name.split(".")[0]),
        }
        with tracer.start_as_current_span(f"process {envelope.type}", context=parent,
                                          kind=trace.SpanKind.CONSUMER, attributes=attributes) as span:
            last_error: BaseException | None = None
            for _attempt in range(self.max_attempts):
                try:
                    async with session.begin_nested():
                        await handler(session, event, envelope)
                    events_processed.add(1, {"consumer_group": self.name, "outcome": "applied"})
                    return
                except Exception as error:  # noqa: BLE001 - classified below
                    if is_transient(error):
                        raise
                    last_error = error
            assert last_error is not None
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(last_error).__name__))
            reason = safe_reason(last_error)
            log.error("event dead-lettered", extra={"consumer": self.name, "event_id": envelope.id,
                                                    "claim_id": envelope.claim_id, "reason": reason})
            await self._dead_letter(session, record, envelope.id, reason, self.max_attempts, inbox_written=True)

    async def _claim_inbox(self, session: AsyncSession, record: ConsumerRecord, event_id: str) -> bool:
        inbox = self.tables.inbox
        claim = insert(inbox).values(consumer=self.name, event_id=event_id, topic=record.topic,
                                     partition=record.partition, offset=record.offset, outcome="applied")
        if any(key == REPLAYED_FROM for key, _ in record.headers):
            # A replayed dead letter may take back its own dead-lettered row, once: after that the
            # row says applied and a second replay is a duplicate like any other.
            claim = claim.on_conflict_do_update(
                index_elements=["consumer", "event_id"], where=inbox.c.outcome == "dead_lettered",
                set_={"outcome": "applied", "reason": None, "topic": record.topic,
                      "partition": record.partition, "offset": record.offset})
        else:
            claim = claim.on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        result = await session.execute(claim.returning(inbox.c.event_id))
        return result.first() is not None

    async def _dead_letter(self, session: AsyncSession, record: ConsumerRecord, event_id: str, reason: str,
                           attempts: int, inbox_written: bool = False) -> None:
        if not inbox_written and not await self._claim_inbox(session, record, event_id):
            return  # already dead-lettered by an earlier delivery
        inbox = self.tables.inbox
        await session.execute(update(inbox).where(inbox.c.consumer == self.name, inbox.c.event_id == event_id)
                              .values(outcome="dead_lettered", reason=reason))
        headers = [(k, v) for k, v in record.headers if v is not None] + [
            ("dlq_reason", reason.encode()), ("dlq_consumer", self.name.encode()),
            ("dlq_origin_topic", record.topic.encode()), ("dlq_origin_partition", str(record.partition).encode()),
            ("dlq_origin_offset", str(record.offset).encode()), ("dlq_attempts", str(attempts).encode()),
            ("dlq_failed_at", dt.datetime.now(dt.UTC).isoformat().encode()),
        ]
        origin = logical_topic(record.topic, self.namespace)
        events_processed.add(1, {"consumer_group": self.name, "outcome": "dead_lettered", "topic": origin})
        await enqueue(session, self.tables, [(dead_letter_topic(origin), record.key, headers,
                                              record.value or b"", _dead_letter_id(self.name, event_id))])


def _dead_letter_id(consumer: str, event_id: str) -> str:
    """The dead letter's outbox id: one per consumer and event, short enough for any group name."""
    return f"dlq-{uuid.uuid5(uuid.NAMESPACE_URL, f'{consumer}/{event_id}')}"


def _record_id(record: ConsumerRecord) -> str:
    """Identity of an undecodable record: its ce_id when present, else its log position."""
    for key, value in record.headers:
        if key == "ce_id" and value:
            return value.decode("utf-8", "replace")[:200]
    return f"{record.topic}:{record.partition}:{record.offset}"
