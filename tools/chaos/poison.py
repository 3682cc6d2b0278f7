"""Poison messages: records on the claim topics that no consumer can apply, each marked by its key."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from shared.events.envelope import EventEnvelope
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.topics import SERVICES, events_topic

KINDS = ("no_envelope", "not_json", "unknown_type")


@dataclass(frozen=True)
class Poison:
    """One injected poison: its record key (how it is found again in a dead-letter topic), kind and topic."""

    key: str
    kind: str
    topic: str


def poison_record(kind: str, short_event_id: bool = False) -> tuple[list[tuple[str, bytes]], bytes]:
    """Headers and value of a poison of the given kind; its ce_id is a UUID like every real event's,
    or 12 hex digits when short_event_id (see schedule.SHORT for why)."""
    if kind == "no_envelope":
        return [], b"\xff\xfe\x00 not an event \x80"  # undecodable bytes, no CloudEvents headers
    event_id = uuid.uuid4().hex[:12] if short_event_id else str(uuid.uuid4())
    envelope = EventEnvelope(type="claim.teleported" if kind == "unknown_type" else "claim.received",
                             source="chaos", subject=str(uuid.uuid4()), tenant_id="chaos", schema_version=1,
                             data={}, id=event_id, time=dt.datetime.now(dt.UTC))
    return envelope.kafka_headers(), (b"{\x00not json" if kind == "not_json" else envelope.kafka_value())


class PoisonInjector:
    """Produces poisons to the five claim topics, round-robin over topics and kinds."""

    def __init__(self, bootstrap: str, short_event_ids: bool = False):
        self.bootstrap = bootstrap
        self.short_event_ids = short_event_ids
        self.injected: list[Poison] = []

    async def inject(self, count: int) -> list[Poison]:
        """Send count poisons and wait for the broker to take each; returns them.

        Topics and kinds rotate together (5 and 3 are coprime): 15 poisons cover every pair.
        """
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True,
                                    **kafka_client_options())
        await producer.start()
        sent = []
        try:
            for _ in range(count):
                number = len(self.injected) + len(sent)
                topic = events_topic(SERVICES[number % len(SERVICES)])
                kind = KINDS[number % len(KINDS)]
                key = f"poison-{uuid.uuid4()}"
                headers, value = poison_record(kind, self.short_event_ids)
                await producer.send_and_wait(topic, value=value, key=key.encode(), headers=headers)
                sent.append(Poison(key, kind, topic))
        finally:
            await producer.stop()
        self.injected += sent
        return sent
