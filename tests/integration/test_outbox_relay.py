"""The outbox relay on the real broker and database: it wakes on a commit from any process (NOTIFY, not a poll),
parks a row the broker refuses while the rows behind it go on, and one instance leads per schema."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select, text

from services.intake.adapters.tables import messaging as intake_tables
from shared.db import create_engine, session_factory, unit_of_work
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.outbox import enqueue, record_events
from shared.messaging.relay import OutboxRelay, build_producer
from shared.messaging.topics import events_topic, physical_topic
from tests.integration.test_outbox_and_consumers import received_envelope
from tests.support.environment import IsolatedEnvironment
from tests.support.kafka import header

pytestmark = pytest.mark.integration
TOPIC = events_topic("intake")


@pytest.fixture
async def sessions(isolated: IsolatedEnvironment):
    engine = create_engine(isolated.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def producer(isolated: IsolatedEnvironment):
    producer = build_producer(isolated.kafka_bootstrap)
    await producer.start()
    yield producer
    await producer.stop()


async def published(isolated: IsolatedEnvironment, event_id: str, timeout: float) -> bool:
    """Whether the event reaches the topic within timeout seconds."""
    consumer = AIOKafkaConsumer(physical_topic(TOPIC, isolated.namespace), bootstrap_servers=isolated.kafka_bootstrap,
                                group_id=f"relay-test-{uuid.uuid4().hex}", auto_offset_reset="earliest",
                                enable_auto_commit=False, **kafka_client_options())
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            if any(header(r, "ce_id") == event_id for records in batch.values() for r in records):
                return True
        return False
    finally:
        await consumer.stop()


async def test_a_commit_from_another_process_wakes_the_relay_at_once(
        isolated: IsolatedEnvironment, sessions, producer) -> None:
    # A minute between safety-net passes: only the NOTIFY can make it publish within the test's seconds.
    relay = OutboxRelay(isolated.database_url, intake_tables, producer, idle_seconds=60,
                        namespace=isolated.namespace)
    running = asyncio.create_task(relay.run())
    try:
        for _ in range(100):
            if relay.leading:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # past its first (empty) pass: now it waits
        envelope = received_envelope(str(uuid.uuid4()))
        async with unit_of_work(sessions) as session:  # sessions of their own, as another process's are
            await record_events(session, intake_tables, TOPIC, [envelope])
        assert await published(isolated, envelope.id, timeout=8)
    finally:
        relay.stop()
        await asyncio.wait_for(running, 10)


async def test_a_row_the_broker_refuses_is_parked_and_the_rows_behind_it_are_published(
        isolated: IsolatedEnvironment, sessions, producer) -> None:
    too_large = f"too-large-{uuid.uuid4().hex[:8]}"
    behind = received_envelope(str(uuid.uuid4()))
    async with unit_of_work(sessions) as session:
        await enqueue(session, intake_tables, [(TOPIC, b"k", [("ce_id", too_large.encode())],
                                                b"x" * (2 * 1024 * 1024), too_large)])
        await record_events(session, intake_tables, TOPIC, [behind])
    relay = OutboxRelay(isolated.database_url, intake_tables, producer, namespace=isolated.namespace)
    assert await relay.drain() >= 2
    assert await published(isolated, behind.id, timeout=10)
    async with sessions() as session:
        parked = (await session.execute(text(
            "SELECT reason FROM intake.outbox_parked WHERE event_id = :id"), {"id": too_large})).scalar_one()
        queued = (await session.execute(select(intake_tables.outbox.c.id).where(
            intake_tables.outbox.c.event_id.in_([too_large, behind.id])))).all()
    assert parked.startswith("MessageSizeTooLargeError: the broker refused the record (2097152 bytes)")
    assert queued == [], "neither row waits in the outbox any more"


async def test_one_relay_leads_a_schema_and_a_standby_takes_over_when_it_stops(
        isolated: IsolatedEnvironment, producer) -> None:
    first = OutboxRelay(isolated.database_url, intake_tables, producer, namespace=isolated.namespace)
    second = OutboxRelay(isolated.database_url, intake_tables, producer, namespace=isolated.namespace)
    first_task = asyncio.create_task(first.run())
    await _until(lambda: first.leading)
    second_task = asyncio.create_task(second.run())
    try:
        await asyncio.sleep(1.0)
        assert first.leading and not second.leading
        first.stop()
        await asyncio.wait_for(first_task, 10)
        await _until(lambda: second.leading, seconds=10)
    finally:
        first.stop()
        second.stop()
        await asyncio.wait_for(asyncio.gather(first_task, second_task, return_exceptions=True), 15)


async def _until(condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
