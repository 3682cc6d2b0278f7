"""The outbox relay and the idempotent consumer on the real broker and database."""

from __future__ import annotations

import asyncio
import functools
import uuid

from sqlalchemy import func, insert, select

from services.coding.adapters.coding_engines import load_coding_engines
from services.coding.adapters.tables import messaging as coding_tables
from services.coding.entrypoints.consumers import coding_handlers
from services.intake.adapters.tables import messaging as intake_tables
from shared.contracts.encounter import Encounter
from shared.db import create_engine, session_factory, unit_of_work
from shared.events import claim_events  # noqa: F401 - registers contracts
from shared.events.claim_events import ClaimReceived
from shared.events.registry import CONTRACTS
from shared.messaging.consumer import ClaimEventConsumer
from shared.messaging.outbox import envelope_for, record_events
from shared.messaging.relay import OutboxRelay, build_producer
from shared.messaging.topics import events_topic, physical_topic
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment
from tests.support.kafka import header, produce, read_topic


def received_envelope(claim_id: str, tenant_id: str = "t-integration"):
    encounter = Encounter.model_validate(encounter_for("SIMPAY"))
    event = ClaimReceived(external_id=encounter.external_id, encounter=encounter)
    return envelope_for(event, source="intake", claim_id=claim_id, tenant_id=tenant_id)


async def drain_relay(relay: OutboxRelay) -> int:
    return await relay.drain()


async def poll_until(consumer: ClaimEventConsumer, wanted: int, timeout: float = 20.0) -> list:
    assert consumer.consumer is not None
    records: list = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(records) < wanted and asyncio.get_running_loop().time() < deadline:
        batch = await consumer.consumer.getmany(timeout_ms=300)
        records += [r for partition in batch.values() for r in partition]
    return records


@functools.cache
def real_coding_handlers() -> dict:
    """Coding's own handlers with its engines (code sets, note reader), loaded once for the module."""
    return coding_handlers(load_coding_engines())


def coding_consumer(isolated: IsolatedEnvironment, sessions, group: str) -> ClaimEventConsumer:
    return ClaimEventConsumer(name=group, topics=[events_topic("intake")], bootstrap=isolated.kafka_bootstrap,
                              sessions=sessions, tables=coding_tables, registry=CONTRACTS,
                              handlers=real_coding_handlers(), max_attempts=2, namespace=isolated.namespace)


async def test_relay_stopped_after_commit_publishes_on_restart(isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    claim_id = str(uuid.uuid4())
    envelope = received_envelope(claim_id)
    async with unit_of_work(sessions) as session:  # committed while no relay runs: the "crash" window
        await record_events(session, intake_tables, events_topic("intake"), [envelope], expected_version=0)
    outbox = intake_tables.outbox
    async with sessions() as session:
        pending = (await session.execute(select(func.count()).select_from(outbox).where(
            outbox.c.event_id == envelope.id))).scalar_one()
    assert pending == 1
    producer = build_producer(isolated.kafka_bootstrap)
    await producer.start()
    try:
        relay = OutboxRelay(isolated.database_url, intake_tables, producer, namespace=isolated.namespace)
        assert await drain_relay(relay) >= 1
    finally:
        await producer.stop()
    records = await read_topic(isolated.kafka_bootstrap, physical_topic(events_topic("intake"), isolated.namespace), 1)
    published = [r for r in records if header(r, "ce_id") == envelope.id]
    assert len(published) == 1
    assert published[0].key == claim_id.encode()
    assert header(published[0], "ce_type") == "claim.received"
    assert header(published[0], "ce_tenantid") == "t-integration"
    await engine.dispose()


async def test_consumer_killed_between_db_commit_and_offset_commit_applies_once(
        isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    claim_id = str(uuid.uuid4())
    envelope = received_envelope(claim_id)
    topic = physical_topic(events_topic("intake"), isolated.namespace)
    await produce(isolated.kafka_bootstrap, topic, [(envelope.kafka_key(), envelope.kafka_headers(),
                                                     envelope.kafka_value())])
    group = f"coding-redelivery-{uuid.uuid4().hex[:6]}"

    first = coding_consumer(isolated, sessions, group)
    await first.start()
    records = [r for r in await poll_until(first, 1) if header(r, "ce_id") == envelope.id]
    assert len(records) == 1
    await first.apply(records)  # the database transaction commits ...
    await first.stop()  # ... and the process dies before committing the offset

    second = coding_consumer(isolated, sessions, group)
    await second.start()
    redelivered = [r for r in await poll_until(second, 1) if header(r, "ce_id") == envelope.id]
    assert len(redelivered) == 1, "the uncommitted offset must be delivered again"
    await second.apply(redelivered)
    await second.commit(redelivered)
    await second.stop()

    events, outbox = coding_tables.claim_events, coding_tables.outbox
    async with sessions() as session:
        coded = (await session.execute(select(func.count()).select_from(events).where(
            events.c.claim_id == claim_id))).scalar_one()
        queued = (await session.execute(select(func.count()).select_from(outbox).where(
            outbox.c.message_key == claim_id.encode()))).scalar_one()
    assert coded == 1
    assert queued == 1
    await engine.dispose()


async def test_republished_event_after_relay_crash_is_ignored(isolated: IsolatedEnvironment) -> None:
    """A relay that published but died before marking rows sent publishes again; consumers drop the copy."""
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    claim_id = str(uuid.uuid4())
    envelope = received_envelope(claim_id)
    outbox = intake_tables.outbox
    async with unit_of_work(sessions) as session:
        await record_events(session, intake_tables, events_topic("intake"), [envelope], expected_version=0)
    producer = build_producer(isolated.kafka_bootstrap)
    await producer.start()
    relay = OutboxRelay(isolated.database_url, intake_tables, producer, namespace=isolated.namespace)
    async with sessions() as session:
        queued = (await session.execute(select(outbox).where(outbox.c.event_id == envelope.id))).one()._asdict()
    await drain_relay(relay)
    async with unit_of_work(sessions) as session:  # as if the relay died before its DELETE committed
        await session.execute(insert(outbox).values(**queued))
    await drain_relay(relay)
    await producer.stop()

    consumer = coding_consumer(isolated, sessions, f"coding-dup-{uuid.uuid4().hex[:6]}")
    await consumer.start()
    copies = [r for r in await poll_until(consumer, 2) if header(r, "ce_id") == envelope.id]
    while len(copies) < 2:
        more = await poll_until(consumer, 1, timeout=2)
        if not more:
            break
        copies += [r for r in more if header(r, "ce_id") == envelope.id]
    assert len(copies) == 2, "the relay published the event twice"
    await consumer.apply(copies)
    await consumer.stop()
    inbox = coding_tables.inbox
    async with sessions() as session:
        applied = (await session.execute(select(func.count()).select_from(inbox).where(
            inbox.c.event_id == envelope.id, inbox.c.consumer == consumer.name))).scalar_one()
        coded = (await session.execute(select(func.count()).select_from(coding_tables.claim_events).where(
            coding_tables.claim_events.c.claim_id == claim_id,
            coding_tables.claim_events.c.event_type == "claim.coded"))).scalar_one()
    assert applied == 1
    assert coded == 1
    await engine.dispose()
