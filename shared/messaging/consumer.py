"""Idempotent, set-based Kafka consumer with dead letters.

A batch from the broker is one database transaction: one multi-row inbox insert drops the events this
consumer group has seen, each handler applies its share of the rest as a set (a claim's events keep their
order: see `in_claim_order`), the events they produce are appended and queued in one statement, and the
transaction commits once. Kafka offsets are committed only after that.

Savepoints appear only on the fallback path: when a batch fails for a reason that is not the server's, it
is split in halves and each half applied on its own, down to the single event, which is tried alone
`max_attempts` times and then written to `<topic>.dlq` (through the outbox, atomically with its inbox row)
with the reason and origin; the rest of the batch applies. A record that cannot be decoded goes to the
dead-letter topic with the batch. Database or broker outages are not the events' fault: the batch is rolled
back and retried from its offsets. If even dead-lettering fails, the record is parked (an inbox row with the
reason, keyed by its log position) and the consumer moves on: no record can stop the partition.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace
from opentelemetry.trace import Link
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import sqlstate_of
from shared.errors import DomainError
from shared.events.envelope import EnvelopeError, EventEnvelope
from shared.events.registry import ContractRegistry, EventContractError, UnknownEventError
from shared.messaging.deliveries import (
    BatchHandler,
    ConsumerUnitOfWork,
    Delivery,
    DeliveryFailed,
    Handler,
    as_batch_handler,
    in_claim_order,
    span_context_of,
)
from shared.messaging.inbox import DEAD_LETTERED, PARKED, InboxEntry, claim_inbox
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.tables import MessagingTables
from shared.messaging.topics import dead_letter_topic, logical_topic, physical_topic
from shared.metrics import meter, observe
from shared.telemetry import CLAIM_ID, TENANT_ID

REPLAYED_FROM = "dlq_replayed_from"  # set by shared.messaging.dead_letters on a re-driven message
REPLAYED_FOR = "dlq_replayed_for"  # the consumer group that dead-lettered it: the only one to apply it
log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
UNDECODABLE = (EnvelopeError, UnknownEventError, EventContractError)
MAX_HEADER_BYTES = 8 * 1024  # a header longer than this is cut when copied into a dead letter
# What the client library raises on a record it cannot parse (its header keys must be UTF-8).
UNREADABLE_RECORD_ERRORS = (UnicodeDecodeError,)
events_processed = meter.create_counter(
    "claimline.consumer.events", unit="{event}",
    description="Events a consumer group handled, by outcome (applied, duplicate, dead_lettered, parked)")

__all__ = ["ClaimEventConsumer", "Handler", "TransientFailure", "is_transient", "safe_reason"]


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
    sqlstate = sqlstate_of(error)
    if sqlstate is not None and sqlstate.startswith(TRANSIENT_SQLSTATE_PREFIXES):
        return True
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
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def safe_reason(error: BaseException) -> str:
    """A dead-letter reason: our own errors are PHI-free by contract; others give only their type."""
    if isinstance(error, (DomainError, *UNDECODABLE)):
        return f"{type(error).__name__}: {error}"[:1000]
    return f"{type(error).__name__} while applying the event"


@dataclass(frozen=True, slots=True)
class Consumed:
    """One record of a batch as the consumer will apply it: to a handler, or straight to the dead-letter topic."""

    record: ConsumerRecord
    inbox: InboxEntry
    delivery: Delivery | None
    handler: BatchHandler | None
    attempts: int = 0  # how often it was tried before it was dead-lettered (0: it could not be decoded)


class ClaimEventConsumer:
    """Consumes claim events for one consumer group and applies them, a batch at a time, with typed handlers."""

    def __init__(self, *, name: str, topics: Sequence[str], bootstrap: str,
                 sessions: async_sessionmaker[AsyncSession], tables: MessagingTables,
                 registry: ContractRegistry, handlers: Mapping[str, Handler | BatchHandler],
                 max_attempts: int = 3, batch_size: int = 500, namespace: str = ""):
        self.name = name
        self.topics = list(topics)
        self.bootstrap = bootstrap
        self.sessions = sessions
        self.tables = tables
        self.registry = registry
        adapted: dict[int, BatchHandler] = {}
        self.handlers = {event_type: adapted.setdefault(id(handler), as_batch_handler(handler))
                         for event_type, handler in handlers.items()}
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.namespace = namespace
        self.consumer: AIOKafkaConsumer | None = None
        self._stopping = asyncio.Event()
        self._lag: dict[tuple[str, int], int] = {}
        self._next_offsets: dict[TopicPartition, int] = {}  # where each partition's next batch starts
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
            batches = await self._poll()
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
                    self._next_offsets[partition] = partition_records[0].offset
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.2
            await self.commit(records)
            self._record_lag(records)

    async def _poll(self) -> dict[TopicPartition, list[ConsumerRecord]]:
        assert self.consumer is not None
        try:
            batches = await self.consumer.getmany(timeout_ms=200, max_records=self.batch_size)
        except UNREADABLE_RECORD_ERRORS:
            await self._rewind()
            batches = await self._poll_past_unreadable_record()
        for partition, records in batches.items():
            if records:
                self._next_offsets[partition] = records[-1].offset + 1
        return batches

    async def _rewind(self) -> None:
        """The library advanced every partition it drained before it met the unparseable record, and dropped
        what it drained: put each back where this consumer's last batch left it (or its committed offset)."""
        assert self.consumer is not None
        for partition in self.consumer.assignment():
            offset = self._next_offsets.get(partition)
            if offset is None:
                offset = await self.consumer.committed(partition)
            if offset is None:
                await self.consumer.seek_to_beginning(partition)
            else:
                self.consumer.seek(partition, offset)

    async def _poll_past_unreadable_record(self) -> dict[TopicPartition, list[ConsumerRecord]]:
        """A record the client library cannot even parse (a header key that is not UTF-8) fails every fetch of
        its partition. Find the partition, read it a record at a time up to that record, park the record by
        its position and seek past it; the readable records read on the way are applied as usual."""
        assert self.consumer is not None
        for partition in sorted(self.consumer.assignment()):
            try:
                fetched = await self.consumer.getmany(partition, timeout_ms=100, max_records=self.batch_size)
            except UNREADABLE_RECORD_ERRORS:
                return await self._read_up_to_unreadable(partition)
            if fetched.get(partition):
                return fetched
        return {}

    async def _read_up_to_unreadable(self, partition: TopicPartition) -> dict[TopicPartition, list[ConsumerRecord]]:
        assert self.consumer is not None
        readable: list[ConsumerRecord] = []
        empty_polls = 0
        while len(readable) < self.batch_size and empty_polls < 3:  # a failed fetch is re-fetched first
            try:
                fetched = await self.consumer.getmany(partition, timeout_ms=500, max_records=1)
            except UNREADABLE_RECORD_ERRORS as error:
                offset = await self.consumer.position(partition)
                await self._park_position(partition.topic, partition.partition, offset,
                                          f"unreadable record ({type(error).__name__}: a header is not UTF-8)")
                self.consumer.seek(partition, offset + 1)
                self._next_offsets[partition] = offset + 1
                break
            records = fetched.get(partition, [])
            empty_polls = 0 if records else empty_polls + 1
            readable.extend(records)
        return {partition: readable} if readable else {}

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
        """Apply records as one set (or, on failure, in parts); raises TransientFailure when infrastructure failed."""
        consumed = [item for record in records if (item := self._consume(record)) is not None]
        if not consumed:
            return
        await self._prepare(consumed)
        links = [Link(context, {CLAIM_ID: c.delivery.claim_id, TENANT_ID: c.delivery.tenant_id,
                                "event.type": c.delivery.envelope.type})
                 for c in consumed if c.delivery is not None and (context := span_context_of(c.delivery.traceparent))]
        with tracer.start_as_current_span(f"process {self.name}", kind=trace.SpanKind.CONSUMER, links=links,
                                          attributes={"messaging.system": "kafka",
                                                      "messaging.operation.type": "process",
                                                      "messaging.consumer.group.name": self.name,
                                                      "messaging.batch.message_count": len(records)}):
            await self._apply_parts(consumed)

    def _consume(self, record: ConsumerRecord) -> Consumed | None:
        """Decode a record (outside any transaction); None when it is not this consumer's business."""
        headers = record.headers or ()
        replayed_for = next((v for k, v in headers if k == REPLAYED_FOR), None)
        if replayed_for is not None and replayed_for.decode("utf-8", "replace") != self.name:
            return None  # a replay for another consumer group; this one applied or dead-lettered it already
        replayed = any(key == REPLAYED_FROM for key, _ in headers)
        try:
            envelope = EventEnvelope.from_kafka(headers, record.value)
            handler = self.handlers.get(envelope.type)
            if handler is None:
                # Another consumer's business, unless nobody here knows the type: then it may be ours
                # from a newer producer, and it waits in the dead-letter topic for a replay.
                if envelope.type not in self.registry.current:
                    raise UnknownEventError(f"unknown event type {envelope.type!r}")
                return None
        except UNDECODABLE as error:
            return Consumed(record, InboxEntry(_record_id(record), record.topic, record.partition, record.offset,
                                               DEAD_LETTERED, safe_reason(error), replayed), None, None)
        traceparent = next((v.decode("ascii", "replace") for k, v in headers if k == "traceparent" and v), None)
        delivery = Delivery(envelope, self.registry, topic=record.topic, partition=record.partition,
                            offset=record.offset, traceparent=traceparent)
        return Consumed(record, InboxEntry(envelope.id, record.topic, record.partition, record.offset,
                                           replayed=replayed), delivery, handler)

    async def _prepare(self, consumed: Sequence[Consumed]) -> None:
        """Let handlers do their CPU work for the batch in a worker thread, before the transaction opens."""
        by_handler: dict[int, tuple[BatchHandler, list[Delivery]]] = {}
        for item in consumed:
            if item.handler is not None and item.delivery is not None and hasattr(item.handler, "prepare"):
                by_handler.setdefault(id(item.handler), (item.handler, []))[1].append(item.delivery)
        for handler, deliveries in by_handler.values():
            await asyncio.to_thread(handler.prepare, deliveries)  # type: ignore[attr-defined]

    async def _apply_parts(self, consumed: Sequence[Consumed]) -> None:
        if not consumed:
            return
        try:
            await self._apply_together(consumed)
        except Exception as error:  # noqa: BLE001 - classified here
            if is_transient(error):
                raise TransientFailure(type(error).__name__) from error
            culprit = _culprit(consumed, error)
            if culprit is not None:
                # What precedes it, then it alone, then what follows: every claim's events keep their order.
                await self._apply_parts(consumed[:culprit])
                await self._apply_alone(consumed[culprit], _cause(error), tried=1)
                await self._apply_parts(consumed[culprit + 1:])
            elif len(consumed) == 1:
                await self._apply_alone(consumed[0], _cause(error), tried=1)
            else:
                half = len(consumed) // 2
                await self._apply_parts(consumed[:half])
                await self._apply_parts(consumed[half:])

    async def _apply_together(self, consumed: Sequence[Consumed]) -> None:
        async with self.sessions() as session, session.begin():
            uow = ConsumerUnitOfWork(session, self.tables)
            claimed = await claim_inbox(session, self.tables, self.name, [c.inbox for c in consumed])
            handled: list[Consumed] = []
            for item in consumed:
                if item.inbox.event_id not in claimed:
                    events_processed.add(1, {"consumer_group": self.name, "outcome": "duplicate"})
                    continue
                claimed.discard(item.inbox.event_id)  # a second copy in this batch is a duplicate too
                if item.delivery is None:
                    self._queue_dead_letter(uow, item)
                else:
                    handled.append(item)
            handler_of = {id(item.delivery): item.handler for item in handled}
            for step in in_claim_order([item.delivery for item in handled if item.delivery is not None]):
                groups: dict[int, tuple[BatchHandler, list[Delivery]]] = {}
                for delivery in step:
                    handler = handler_of[id(delivery)]
                    assert handler is not None
                    groups.setdefault(id(handler), (handler, []))[1].append(delivery)
                for handler, deliveries in groups.values():
                    await handler.apply(uow, deliveries)
                await uow.flush()  # a step's events are written before the next step's handlers read
            await uow.flush()
        if handled:
            events_processed.add(len(handled), {"consumer_group": self.name, "outcome": "applied"})

    async def _apply_alone(self, item: Consumed, error: BaseException, tried: int) -> None:
        """Try one event on its own until it was tried max_attempts times in all, then dead-letter it (or park
        it). An event that does not match its contract is dead-lettered at once: no retry changes that."""
        attempts = tried
        while attempts < self.max_attempts and not isinstance(error, UNDECODABLE):
            try:
                await self._apply_together([item])
                return
            except Exception as again:  # noqa: BLE001 - classified below
                if is_transient(again):
                    raise TransientFailure(type(again).__name__) from again
                error = _cause(again)
                attempts += 1
        reason = safe_reason(error)
        log.error("event dead-lettered", extra={"consumer": self.name, "event_id": item.inbox.event_id,
                                                "claim_id": item.delivery.claim_id if item.delivery else None,
                                                "reason": reason})
        dead = Consumed(item.record, InboxEntry(item.inbox.event_id, item.inbox.topic, item.inbox.partition,
                                                item.inbox.offset, DEAD_LETTERED, reason, item.inbox.replayed),
                        None, None, attempts=0 if isinstance(error, UNDECODABLE) else attempts)
        try:
            await self._apply_together([dead])
        except Exception as failure:  # noqa: BLE001 - classified below
            if is_transient(failure):
                raise TransientFailure(type(failure).__name__) from failure
            await self._park(item.record, f"dead-lettering failed ({type(failure).__name__}) after: {reason}")

    def _queue_dead_letter(self, uow: ConsumerUnitOfWork, item: Consumed) -> None:
        record, inbox = item.record, item.inbox
        reason = inbox.reason or "dead-lettered"
        headers = [(k, v[:MAX_HEADER_BYTES]) for k, v in (record.headers or ()) if v is not None] + [
            ("dlq_reason", reason.encode()), ("dlq_consumer", self.name.encode()),
            ("dlq_origin_topic", record.topic.encode()), ("dlq_origin_partition", str(record.partition).encode()),
            ("dlq_origin_offset", str(record.offset).encode()),
            ("dlq_attempts", str(item.attempts).encode()),
            ("dlq_failed_at", dt.datetime.now(dt.UTC).isoformat().encode()),
        ]
        origin = logical_topic(record.topic, self.namespace)
        events_processed.add(1, {"consumer_group": self.name, "outcome": "dead_lettered", "topic": origin})
        uow.enqueue_message(dead_letter_topic(origin), record.key, headers, record.value or b"",
                            _dead_letter_id(self.name, inbox.event_id))

    async def _park(self, record: ConsumerRecord, reason: str) -> None:
        """Last resort: note the record by its log position so it is never retried, and move on."""
        await self._park_position(record.topic, record.partition, record.offset, reason)

    async def _park_position(self, topic: str, partition: int, offset: int, reason: str) -> None:
        position = f"{topic}:{partition}:{offset}"
        events_processed.add(1, {"consumer_group": self.name, "outcome": "parked"})
        log.critical("record parked", extra={"consumer": self.name, "position": position, "reason": reason[:300]})
        try:
            async with self.sessions() as session, session.begin():
                await claim_inbox(session, self.tables, self.name, [InboxEntry(
                    position, topic, partition, offset, PARKED, reason[:1000])])
        except Exception as error:  # noqa: BLE001 - the log line above is the record of it
            if is_transient(error):
                raise TransientFailure(type(error).__name__) from error


def _culprit(consumed: Sequence[Consumed], error: BaseException) -> int | None:
    """The position of the delivery a handler named as the one it failed on, if it named one."""
    if isinstance(error, DeliveryFailed):
        for position, item in enumerate(consumed):
            if item.delivery is error.delivery:
                return position
    return None


def _cause(error: BaseException) -> BaseException:
    """The handler's own error inside a DeliveryFailed (its type and message make the dead letter's reason)."""
    return error.error if isinstance(error, DeliveryFailed) else error


def _dead_letter_id(consumer: str, event_id: str) -> str:
    """The dead letter's outbox id: one per consumer and event, short enough for any group name."""
    return f"dlq-{uuid.uuid5(uuid.NAMESPACE_URL, f'{consumer}/{event_id}')}"


def _record_id(record: ConsumerRecord) -> str:
    """Identity of an undecodable record: its ce_id when present and of a sane length, else its log position."""
    for key, value in record.headers or ():
        if key == "ce_id" and value:
            ce_id = value.decode("utf-8", "replace")
            if len(ce_id) <= 200:
                return ce_id
    return f"{record.topic}:{record.partition}:{record.offset}"
