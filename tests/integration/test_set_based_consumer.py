"""The consumer applies a batch as a set, on the real broker and database: one transaction, each claim's
events in order, a poison isolated and dead-lettered while the rest apply, and records that cannot be
decoded or even parsed never stop the partition."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import pytest
from aiokafka.producer import message_accumulator
from aiokafka.producer import producer as aiokafka_producer
from aiokafka.record.default_records import _DefaultRecordBatchBuilderPy
from sqlalchemy import event, select

from services.coding.adapters.tables import messaging as coding_tables
from shared.db import create_engine, session_factory
from shared.errors import DomainError
from shared.events import claim_events  # noqa: F401 - registers contracts
from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS
from shared.messaging.consumer import ClaimEventConsumer
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery
from shared.messaging.relay import OutboxRelay, build_producer
from shared.messaging.topics import dead_letter_topic, events_topic, physical_topic
from tests.integration.test_outbox_and_consumers import poll_until
from tests.support.environment import IsolatedEnvironment
from tests.support.kafka import header, produce, read_topic

pytestmark = pytest.mark.integration
TYPES = ("claim.accepted", "claim.rejected", "claim.closed")


class PoisonInBatch(DomainError):
    """Stands for a set handler's failure it cannot pin on one event."""


class RecordingHandler:
    """Records each call's deliveries; refuses any call that includes a poisoned claim."""

    def __init__(self, poisoned: set[str] = frozenset()):  # type: ignore[assignment]
        self.calls: list[list[tuple[str, str]]] = []
        self.poisoned = poisoned

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        if any(d.claim_id in self.poisoned for d in deliveries):
            raise PoisonInBatch("a claim in this batch is refused on purpose")
        self.calls.append([(d.claim_id, d.envelope.type) for d in deliveries])


def envelope(claim_id: str, event_type: str, marker: str) -> tuple[bytes, list[tuple[str, bytes]], bytes]:
    sent = EventEnvelope(type=event_type, source="test", subject=claim_id, tenant_id="t-sets", schema_version=1,
                         data={})
    return sent.kafka_key(), sent.kafka_headers() + [("marker", marker.encode())], sent.kafka_value()


@pytest.fixture
async def sessions(isolated: IsolatedEnvironment):
    engine = create_engine(isolated.database_url)
    yield engine, session_factory(engine)
    await engine.dispose()


def consumer_for(isolated: IsolatedEnvironment, sessions, handler: RecordingHandler, marker: str) -> ClaimEventConsumer:
    return ClaimEventConsumer(name=f"sets-{marker[:8]}", topics=[events_topic("submission")],
                              bootstrap=isolated.kafka_bootstrap, sessions=sessions, tables=coding_tables,
                              registry=CONTRACTS, handlers=dict.fromkeys(TYPES, handler), max_attempts=2,
                              namespace=isolated.namespace)


async def consumed(consumer: ClaimEventConsumer, marker: str, count: int) -> list:
    await consumer.start()
    return [r for r in await poll_until(consumer, count) if header(r, "marker") == marker]


async def test_a_batch_is_one_transaction_and_each_claims_events_keep_their_order(
        isolated: IsolatedEnvironment, sessions) -> None:
    engine, factory = sessions
    marker = uuid.uuid4().hex
    first, second, third = (str(uuid.uuid4()) for _ in range(3))
    records = [envelope(first, "claim.accepted", marker), envelope(second, "claim.accepted", marker),
               envelope(first, "claim.rejected", marker), envelope(third, "claim.accepted", marker),
               envelope(first, "claim.closed", marker), envelope(second, "claim.closed", marker)]
    await produce(isolated.kafka_bootstrap, physical_topic(events_topic("submission"), isolated.namespace), records)
    handler = RecordingHandler()
    consumer = consumer_for(isolated, factory, handler, marker)
    batch = await consumed(consumer, marker, len(records))
    assert len(batch) == len(records)
    commits: list[int] = []

    def count(_connection: object) -> None:
        commits.append(1)

    event.listen(engine.sync_engine, "commit", count)
    try:
        await consumer.apply(batch)
    finally:
        event.remove(engine.sync_engine, "commit", count)
        await consumer.stop()
    assert len(commits) == 1, "the whole batch is one transaction"
    applied = [item for call in handler.calls for item in call]
    assert [t for c, t in applied if c == first] == ["claim.accepted", "claim.rejected", "claim.closed"]
    assert [t for c, t in applied if c == second] == ["claim.accepted", "claim.closed"]
    assert all(len({c for c, _ in call}) == len(call) for call in handler.calls), "no claim twice in one call"


async def test_a_poison_a_set_handler_cannot_name_is_found_by_halving_and_only_it_is_dead_lettered(
        isolated: IsolatedEnvironment, sessions) -> None:
    _engine, factory = sessions
    marker = uuid.uuid4().hex
    claims = [str(uuid.uuid4()) for _ in range(7)]
    poison = claims[4]
    records = [envelope(claim_id, "claim.accepted", marker) for claim_id in claims]
    await produce(isolated.kafka_bootstrap, physical_topic(events_topic("submission"), isolated.namespace), records)
    handler = RecordingHandler({poison})
    consumer = consumer_for(isolated, factory, handler, marker)
    batch = await consumed(consumer, marker, len(records))
    try:
        await consumer.apply(batch)
        await consumer.commit(batch)
    finally:
        await consumer.stop()
    applied = {c for call in handler.calls for c, _ in call}
    assert applied == set(claims) - {poison}

    inbox = coding_tables.inbox
    async with factory() as session:
        outcomes = dict((await session.execute(select(inbox.c.event_id, inbox.c.outcome).where(
            inbox.c.consumer == consumer.name))).all())
    assert sorted(outcomes.values()) == ["applied"] * 6 + ["dead_lettered"]
    producer = build_producer(isolated.kafka_bootstrap)
    await producer.start()
    await OutboxRelay(isolated.database_url, coding_tables, producer, namespace=isolated.namespace).drain()
    await producer.stop()
    dlq = physical_topic(dead_letter_topic(events_topic("submission")), isolated.namespace)
    dead = [r for r in await read_topic(isolated.kafka_bootstrap, dlq, 1) if header(r, "marker") == marker]
    assert [r.key.decode() for r in dead] == [poison]
    assert header(dead[0], "dlq_reason") == "PoisonInBatch: a claim in this batch is refused on purpose"
    assert header(dead[0], "dlq_attempts") == "2"


async def test_undecodable_records_are_dead_lettered_and_the_good_ones_apply(
        isolated: IsolatedEnvironment, sessions) -> None:
    """A header value that is not UTF-8, and a ce_id too long to be an inbox key: dead letters, not a crash loop."""
    _engine, factory = sessions
    marker = uuid.uuid4().hex
    good = str(uuid.uuid4())
    key, headers, value = envelope(str(uuid.uuid4()), "claim.accepted", marker)
    not_utf8 = (key, [(k, b"\xff\xfe\xfd" if k == "ce_type" else v) for k, v in headers], value)
    key, headers, value = envelope(str(uuid.uuid4()), "claim.accepted", marker)
    long_id = (key, [(k, b"x" * 5000 if k == "ce_id" else v) for k, v in headers], value)
    records = [not_utf8, long_id, envelope(good, "claim.accepted", marker)]
    await produce(isolated.kafka_bootstrap, physical_topic(events_topic("submission"), isolated.namespace), records)
    handler = RecordingHandler()
    consumer = consumer_for(isolated, factory, handler, marker)
    batch = await consumed(consumer, marker, len(records))
    try:
        await consumer.apply(batch)
    finally:
        await consumer.stop()
    assert [c for call in handler.calls for c, _ in call if c == good] == [good]
    producer = build_producer(isolated.kafka_bootstrap)
    await producer.start()
    assert await OutboxRelay(isolated.database_url, coding_tables, producer, namespace=isolated.namespace).drain()
    await producer.stop()
    dlq = physical_topic(dead_letter_topic(events_topic("submission")), isolated.namespace)
    dead = [r for r in await read_topic(isolated.kafka_bootstrap, dlq, 2) if header(r, "marker") == marker]
    reasons = sorted(header(r, "dlq_reason") or "" for r in dead)
    assert len(dead) == 2
    assert reasons[0].startswith("EnvelopeError: ce_id is longer than 200")
    assert reasons[1].startswith("UnknownEventError: unknown event type")
    copied = next(r for r in dead if dict(r.headers)["ce_type"] == b"\xff\xfe\xfd")
    assert copied.value == not_utf8[2], "the dead letter carries the original bytes"


class UndecodableKey(str):
    """A header key whose bytes are not UTF-8: the client library raises on every fetch of its partition."""

    def encode(self, *_args: object, **_kwargs: object) -> bytes:  # type: ignore[override]
        return b"\xff\xfe-key"


async def test_a_record_the_client_cannot_parse_is_parked_and_its_partition_moves_on(
        isolated: IsolatedEnvironment, sessions, monkeypatch: pytest.MonkeyPatch) -> None:
    _engine, factory = sessions
    marker = uuid.uuid4().hex
    before, after = str(uuid.uuid4()), str(uuid.uuid4())
    topic = physical_topic(events_topic("submission"), isolated.namespace)
    await produce(isolated.kafka_bootstrap, topic, [envelope(before, "claim.accepted", marker)])
    # the pure-Python batch builder encodes header keys with str.encode, which the key above overrides
    monkeypatch.setattr(message_accumulator, "DefaultRecordBatchBuilder", _DefaultRecordBatchBuilderPy)
    monkeypatch.setattr(aiokafka_producer, "DefaultRecordBatchBuilder", _DefaultRecordBatchBuilderPy)
    key, headers, value = envelope(before, "claim.rejected", marker)
    await produce(isolated.kafka_bootstrap, topic, [(key, [*headers, (UndecodableKey("x"), b"1")], value)])
    monkeypatch.undo()
    await produce(isolated.kafka_bootstrap, topic, [envelope(after, "claim.accepted", marker)])

    handler = RecordingHandler()
    consumer = consumer_for(isolated, factory, handler, marker)
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + 30  # joining the group takes a few seconds
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer._poll()
            await consumer.apply([r for partition in batches.values() for r in partition])
            if {after, before} <= {c for call in handler.calls for c, _ in call}:
                break
    finally:
        await consumer.stop()
    applied = [(c, t) for call in handler.calls for c, t in call]
    assert (before, "claim.accepted") in applied and (after, "claim.accepted") in applied
    assert (before, "claim.rejected") not in applied
    inbox = coding_tables.inbox
    async with factory() as session:
        parked = (await session.execute(select(inbox.c.reason).where(
            inbox.c.consumer == consumer.name, inbox.c.outcome == "parked"))).scalars().all()
    assert len(parked) == 1 and "header is not UTF-8" in parked[0]
