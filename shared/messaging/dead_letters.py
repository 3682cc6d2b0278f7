"""Read the dead-letter topics and re-drive chosen messages to the topic they came from.

A replayed message is the original bytes and headers (the dlq_* headers dropped) plus
`dlq_replayed_from`, naming the dead letter, and `dlq_replayed_for`, naming the consumer group
that failed it: the other groups on the topic ignore it. That group takes the header as permission
to apply an event whose inbox row says it was dead-lettered; once applied, the row says so, and
any further replay of the same dead letter is skipped like any duplicate. So replay is idempotent.
Listing shows ids, types, reasons and positions, never payloads (they may carry PHI).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging.consumer import REPLAYED_FOR, REPLAYED_FROM
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.relay import build_producer
from shared.messaging.topics import SERVICES, TENANTS_TOPIC, dead_letter_topic, events_topic, physical_topic

DEAD_LETTER_TOPICS = tuple(dead_letter_topic(t) for t in (*(events_topic(s) for s in SERVICES), TENANTS_TOPIC))


@dataclass(frozen=True)
class DeadLetter:
    """One message in a dead-letter topic, described without its payload."""

    topic: str  # the logical dead-letter topic
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None
    claim_id: str | None
    tenant_id: str | None
    consumer: str | None
    reason: str | None
    origin_topic: str | None  # physical name, as the failing consumer read it
    failed_at: str | None
    attempts: int | None

    @property
    def position(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "position": self.position}


def parse_position(position: str) -> tuple[str, int, int]:
    """'claims.coding.events.dlq:3:17' -> (topic, partition, offset); ValueError when malformed."""
    topic, partition, offset = position.rsplit(":", 2)
    if topic not in DEAD_LETTER_TOPICS:
        raise ValueError(f"{topic!r} is not a dead-letter topic")
    return topic, int(partition), int(offset)


def _describe(topic: str, record) -> DeadLetter:
    headers = {key: value.decode("utf-8", "replace") for key, value in record.headers if value is not None}
    attempts = headers.get("dlq_attempts")
    return DeadLetter(
        topic=topic, partition=record.partition, offset=record.offset, event_id=headers.get("ce_id"),
        event_type=headers.get("ce_type"), claim_id=record.key.decode("utf-8", "replace") if record.key else None,
        tenant_id=headers.get("ce_tenantid"), consumer=headers.get("dlq_consumer"),
        reason=headers.get("dlq_reason"), origin_topic=headers.get("dlq_origin_topic"),
        failed_at=headers.get("dlq_failed_at"), attempts=int(attempts) if attempts and attempts.isdigit() else None)


class DeadLetterTopics:
    """Lists and replays dead letters on one Kafka cluster and namespace."""

    def __init__(self, bootstrap: str, namespace: str = ""):
        self.bootstrap = bootstrap
        self.namespace = namespace

    async def list(self, topics: tuple[str, ...] = DEAD_LETTER_TOPICS, limit: int = 500) -> list[DeadLetter]:
        """Every dead letter now in the topics (oldest first per partition), up to limit."""
        partitions = await self._partitions([physical_topic(t, self.namespace) for t in topics])
        if not partitions:
            return []
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False,
                                    **kafka_client_options())
        await consumer.start()
        try:
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
            for tp in partitions:
                consumer.seek(tp, starts[tp])
            found: list[DeadLetter] = []
            pending = {tp for tp in partitions if ends[tp] > starts[tp]}
            while pending and len(found) < limit:
                batch = await consumer.getmany(*pending, timeout_ms=1000)
                if not batch:
                    break
                for tp, records in batch.items():
                    logical = tp.topic[len(self.namespace):] if self.namespace else tp.topic
                    found += [_describe(logical, r) for r in records if r.offset < ends[tp]]
                    if records and records[-1].offset + 1 >= ends[tp]:
                        pending.discard(tp)
            return found[:limit]
        finally:
            await consumer.stop()

    async def _partitions(self, topics: list[str]) -> list[TopicPartition]:
        """The partitions of those topics that exist (a consumer only knows its assigned topics')."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, **kafka_client_options())
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            described = await admin.describe_topics([t for t in topics if t in existing])
        finally:
            await admin.close()
        return [TopicPartition(d["topic"], p["partition"]) for d in described if not d.get("error_code")
                for p in sorted(d["partitions"], key=lambda p: p["partition"])]

    async def replay(self, positions: list[str]) -> list[DeadLetter]:
        """Re-publish the dead letters at these positions to their origin topics; returns what was sent."""
        wanted = [parse_position(p) for p in positions]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False,
                                    **kafka_client_options())
        producer = build_producer(self.bootstrap)
        await consumer.start()
        await producer.start()
        replayed: list[DeadLetter] = []
        try:
            for topic, partition, offset in wanted:
                tp = TopicPartition(physical_topic(topic, self.namespace), partition)
                consumer.assign([tp])
                consumer.seek(tp, offset)
                records = (await consumer.getmany(tp, timeout_ms=5000, max_records=1)).get(tp, [])
                if not records or records[0].offset != offset:
                    raise LookupError(f"no dead letter at {topic}:{partition}:{offset}")
                record = records[0]
                letter = _describe(topic, record)
                if not letter.origin_topic:
                    raise LookupError(f"the dead letter at {letter.position} names no origin topic")
                headers = [(k, v) for k, v in record.headers if not k.startswith("dlq_") and v is not None]
                headers.append((REPLAYED_FROM, letter.position.encode()))
                if letter.consumer:
                    headers.append((REPLAYED_FOR, letter.consumer.encode()))
                await producer.send_and_wait(letter.origin_topic, value=record.value, key=record.key,
                                             headers=headers)
                replayed.append(letter)
            return replayed
        finally:
            await consumer.stop()
            await producer.stop()
