"""Topic names and settings: one events topic per owning service, each with its dead-letter topic."""

from __future__ import annotations

from dataclasses import dataclass

from shared.messaging.kafka_security import kafka_client_options

SERVICES = ("intake", "coding", "submission", "remittance", "denials")
DEFAULT_PARTITIONS = 6
RETENTION_EVENTS_MS = 30 * 24 * 3600 * 1000  # a claim lives weeks; replay needs its history
RETENTION_DLQ_MS = 90 * 24 * 3600 * 1000


def physical_topic(topic: str, namespace: str) -> str:
    """The broker's name for a logical topic: several environments can share one Kafka cluster."""
    return f"{namespace}{topic}"


def logical_topic(topic: str, namespace: str) -> str:
    """The logical name of a topic read from the broker."""
    return topic[len(namespace):] if namespace and topic.startswith(namespace) else topic


def events_topic(service: str) -> str:
    """The topic a service publishes its claim events to, e.g. claims.intake.events."""
    return f"claims.{service}.events"


def dead_letter_topic(topic: str) -> str:
    """Where messages from topic that cannot be applied go, with their reason."""
    return f"{topic}.dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


TENANTS_TOPIC = "tenants.events"


def stack_topics(partitions: int = DEFAULT_PARTITIONS, replication_factor: int = 1) -> list[TopicSpec]:
    """Every topic the stack needs, with explicit partitions and retention (the tenants topic is compacted)."""
    # With three replicas, an acks=all write needs two of them: one broker may be lost, no event may.
    durable = {"min.insync.replicas": str(min(2, replication_factor))}
    specs = []
    for service in SERVICES:
        topic = events_topic(service)
        specs.append(TopicSpec(topic, partitions, {"retention.ms": str(RETENTION_EVENTS_MS), **durable}))
        specs.append(TopicSpec(dead_letter_topic(topic), partitions,
                               {"retention.ms": str(RETENTION_DLQ_MS), **durable}))
    specs.append(TopicSpec(TENANTS_TOPIC, 1, {"cleanup.policy": "compact", **durable}))
    # Without it, one tenants event a service cannot read (say, a newer type) would stall its relay.
    specs.append(TopicSpec(dead_letter_topic(TENANTS_TOPIC), 1, {"retention.ms": str(RETENTION_DLQ_MS), **durable}))
    return specs


async def ensure_topics(bootstrap: str, specs: list[TopicSpec], replication_factor: int = 1,
                        namespace: str = "") -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    specs = [TopicSpec(physical_topic(s.name, namespace), s.partitions, s.config) for s in specs]
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            await admin.create_topics([NewTopic(s.name, s.partitions, replication_factor, topic_configs=s.config)
                                       for s in missing])
        return [s.name for s in missing]
    finally:
        await admin.close()
