"""A dead letter re-driven after the fix is applied once; replaying it again changes nothing."""

from __future__ import annotations

import asyncio
import sys
import uuid

from sqlalchemy import select

from services.coding.adapters.tables import messaging as coding_tables
from shared.db import create_engine, session_factory
from shared.errors import DomainError
from shared.events.registry import CONTRACTS
from shared.messaging.consumer import REPLAYED_FOR, REPLAYED_FROM, ClaimEventConsumer
from shared.messaging.dead_letters import DeadLetterTopics
from shared.messaging.relay import OutboxRelay, build_producer
from shared.messaging.topics import events_topic, physical_topic
from tests.integration.test_outbox_and_consumers import drain_relay, poll_until, received_envelope
from tests.support.environment import IsolatedEnvironment
from tests.support.kafka import header, produce


class HandlerBug(DomainError):
    """Stands for a bug fixed by the next deployment."""


async def test_replayed_dead_letter_is_applied_once(isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    producer = build_producer(isolated.kafka_bootstrap)
    await producer.start()
    relay = OutboxRelay(isolated.database_url, coding_tables, producer, namespace=isolated.namespace)
    topic = physical_topic(events_topic("intake"), isolated.namespace)
    envelope = received_envelope(str(uuid.uuid4()))
    await produce(isolated.kafka_bootstrap, topic,
                  [(envelope.kafka_key(), envelope.kafka_headers(), envelope.kafka_value())])

    applied: list[str] = []
    fixed = False

    async def handler(_session, _event, seen) -> None:
        if not fixed:
            raise HandlerBug("coding cannot apply this event yet")
        applied.append(seen.id)

    consumer = ClaimEventConsumer(
        # A long group name: the dead letter's outbox id must still fit (it once overflowed 64 characters).
        name=f"remittance.received-claims.replay-{uuid.uuid4().hex[:6]}", topics=[events_topic("intake")],
        bootstrap=isolated.kafka_bootstrap, sessions=sessions, tables=coding_tables, registry=CONTRACTS,
        handlers={"claim.received": handler}, max_attempts=2, namespace=isolated.namespace)
    await consumer.start()

    async def deliver(wanted_headers: int) -> None:
        records = [r for r in await poll_until(consumer, 1) if header(r, "ce_id") == envelope.id]
        assert len(records) == 1
        assert sum(1 for k, _ in records[0].headers if k == REPLAYED_FROM) == wanted_headers
        if wanted_headers:
            assert header(records[0], REPLAYED_FOR) == consumer.name
        await consumer.apply(records)
        await consumer.commit(records)

    await deliver(0)
    await drain_relay(relay)
    dead_letters = DeadLetterTopics(isolated.kafka_bootstrap, isolated.namespace)
    letters = [d for d in await dead_letters.list() if d.event_id == envelope.id]
    assert len(letters) == 1
    letter = letters[0]
    assert letter.reason == "HandlerBug: coding cannot apply this event yet"
    assert letter.consumer == consumer.name and letter.event_type == "claim.received"
    assert letter.claim_id == envelope.claim_id and letter.origin_topic == topic
    assert "encounter" not in str(letter.as_dict()), "a listing never carries the payload"

    fixed = True
    assert [r.position for r in await dead_letters.replay([letter.position])] == [letter.position]
    await deliver(1)
    assert applied == [envelope.id]

    # An operator replays it again, this time from the command the runbook gives.
    command = [sys.executable, "-m", "tools.dead_letters", "--bootstrap", isolated.kafka_bootstrap,
               "--namespace", isolated.namespace, "replay", letter.position]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    stdout, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0 and letter.position in stdout.decode()
    await deliver(1)
    assert applied == [envelope.id], "the second replay is a duplicate"

    inbox = coding_tables.inbox
    async with sessions() as session:
        outcome = (await session.execute(select(inbox.c.outcome).where(
            inbox.c.consumer == consumer.name, inbox.c.event_id == envelope.id))).scalar_one()
    assert outcome == "applied"
    await consumer.stop()
    await producer.stop()
    await engine.dispose()
