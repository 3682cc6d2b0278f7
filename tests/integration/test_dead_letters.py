"""Malformed events and events that keep failing land in <topic>.dlq with their reason."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from services.coding.adapters.tables import messaging as coding_tables
from shared.db import create_engine, session_factory
from shared.errors import DomainError
from shared.events import claim_events  # noqa: F401 - registers contracts
from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS
from shared.messaging.consumer import ClaimEventConsumer
from shared.messaging.relay import OutboxRelay, build_producer
from shared.messaging.topics import dead_letter_topic, events_topic, physical_topic
from tests.integration.test_outbox_and_consumers import drain_relay, poll_until, received_envelope
from tests.support.environment import IsolatedEnvironment
from tests.support.kafka import header, produce, read_topic


class AlwaysRefuses(DomainError):
    """Stands for a handler bug that no retry fixes."""


async def test_bad_events_go_to_the_dead_letter_topic_with_their_reason(isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    topic = physical_topic(events_topic("intake"), isolated.namespace)
    marker = uuid.uuid4().hex

    no_headers = (b"claim-a", [("marker", marker.encode())], b'{"hello": "world"}')
    bad_json = received_envelope(str(uuid.uuid4()))
    bad_json_record = (bad_json.kafka_key(), bad_json.kafka_headers() + [("marker", marker.encode())], b"{not json")
    invalid = EventEnvelope(type="claim.received", source="intake", subject=str(uuid.uuid4()), tenant_id="t",
                            schema_version=1, data={"external_id": "X"})
    invalid_record = (invalid.kafka_key(), invalid.kafka_headers() + [("marker", marker.encode())],
                      invalid.kafka_value())
    unknown = EventEnvelope(type="claim.teleported", source="intake", subject=str(uuid.uuid4()), tenant_id="t",
                            schema_version=1, data={})
    unknown_record = (unknown.kafka_key(), unknown.kafka_headers() + [("marker", marker.encode())],
                      unknown.kafka_value())
    failing = received_envelope(str(uuid.uuid4()))
    failing_record = (failing.kafka_key(), failing.kafka_headers() + [("marker", marker.encode())],
                      failing.kafka_value())
    await produce(isolated.kafka_bootstrap, topic,
                  [no_headers, bad_json_record, invalid_record, unknown_record, failing_record])

    attempts: list[str] = []

    async def refuse(_session, _event, envelope) -> None:
        attempts.append(envelope.id)
        raise AlwaysRefuses("coding refused this claim on purpose")

    consumer = ClaimEventConsumer(
        name=f"coding-dlq-{marker[:6]}", topics=[events_topic("intake")], bootstrap=isolated.kafka_bootstrap,
        sessions=sessions, tables=coding_tables, registry=CONTRACTS, handlers={"claim.received": refuse},
        max_attempts=3, namespace=isolated.namespace)
    await consumer.start()
    records = [r for r in await poll_until(consumer, 5) if header(r, "marker") == marker]
    assert len(records) == 5
    await consumer.apply(records)
    await consumer.commit(records)
    await consumer.stop()
    assert attempts == [failing.id] * 3

    producer = build_producer(isolated.kafka_bootstrap)
    await producer.start()
    await drain_relay(OutboxRelay(isolated.database_url, coding_tables, producer, namespace=isolated.namespace))
    await producer.stop()

    dlq = physical_topic(dead_letter_topic(events_topic("intake")), isolated.namespace)
    dead = [r for r in await read_topic(isolated.kafka_bootstrap, dlq, 5) if header(r, "marker") == marker]
    reasons = sorted(header(r, "dlq_reason") or "" for r in dead)
    assert len(dead) == 5, reasons
    assert any(r.startswith("EnvelopeError: missing CloudEvents headers") for r in reasons)
    assert any(r.startswith("EnvelopeError: value is not JSON") for r in reasons)
    assert any(r.startswith("EventContractError: claim.received v1 invalid: encounter: missing") for r in reasons)
    assert any(r.startswith("UnknownEventError: unknown event type 'claim.teleported'") for r in reasons)
    assert "AlwaysRefuses: coding refused this claim on purpose" in reasons
    for record in dead:
        assert header(record, "dlq_origin_topic") == topic
        assert header(record, "dlq_consumer") == consumer.name
        assert header(record, "dlq_origin_offset") is not None
    originals = {(r.partition, r.offset): r.value for r in records}
    for record in dead:
        origin = (int(header(record, "dlq_origin_partition")), int(header(record, "dlq_origin_offset")))
        assert record.value == originals[origin], "the original bytes are kept"

    inbox = coding_tables.inbox
    async with sessions() as session:
        outcomes = (await session.execute(select(inbox.c.outcome).where(inbox.c.consumer == consumer.name))).scalars()
    assert sorted(outcomes) == ["dead_lettered"] * 5
    assert json.loads(invalid.kafka_value()) == {"external_id": "X"}
    await engine.dispose()
