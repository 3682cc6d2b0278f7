"""Reads the compacted tenants topic from its beginning into a service's in-memory key ring and
tenant directory (API keys with their tombstones, tenants' request budgets).

Not a consumer group: every process needs every signing key, API key and revocation, and must
rebuild them after a restart, so it assigns itself the topic's partitions, seeks to the start
and never commits offsets. The topic is compacted and small (one record per key, client and tenant).
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from shared.access_tokens import SigningKeyRing
from shared.events.envelope import EnvelopeError, EventEnvelope
from shared.messaging.kafka_security import kafka_client_options
from shared.messaging.topics import TENANTS_TOPIC, physical_topic
from shared.tenant_directory import TenantDirectory
from shared.tenant_event_signing import verify_tenant_event

log = logging.getLogger(__name__)


class TenantsTopicFollower:
    """Keeps a SigningKeyRing and a TenantDirectory in step with the tenants topic; `caught_up` is set
    once it read the backlog."""

    def __init__(self, bootstrap: str, namespace: str, ring: SigningKeyRing,
                 directory: TenantDirectory | None = None):
        self.bootstrap = bootstrap
        self.topic = physical_topic(TENANTS_TOPIC, namespace)
        self.ring = ring
        self.directory = directory or TenantDirectory()
        self.caught_up = asyncio.Event()

    async def run(self) -> None:
        """Follow the topic until cancelled (started as one of the runtime's background loops)."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                                    auto_offset_reset="earliest", **kafka_client_options())
        await consumer.start()
        try:
            partitions = await self._assign(consumer)
            backlog = await consumer.end_offsets(partitions)
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        self._apply(record.headers, record.value)
                if not self.caught_up.is_set():
                    positions = {p: await consumer.position(p) for p in backlog}
                    if all(positions[p] >= end for p, end in backlog.items()):
                        self.caught_up.set()
        finally:
            await consumer.stop()

    async def _assign(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        numbers = await self._partitions()
        partitions = [TopicPartition(self.topic, n) for n in numbers]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        return partitions

    async def _partitions(self) -> list[int]:
        """The topic's partition numbers, once the topic exists (an unsubscribed consumer has no metadata)."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, **kafka_client_options())
        await admin.start()
        try:
            while True:
                try:
                    [described] = await admin.describe_topics([self.topic])
                    if described["error_code"] == 0 and described["partitions"]:
                        return sorted(p["partition"] for p in described["partitions"])
                except KafkaError as error:
                    log.warning("tenants topic not described yet", extra={"error": type(error).__name__})
                await asyncio.sleep(0.5)
        finally:
            await admin.close()

    def _apply(self, headers: tuple, value: bytes | None) -> None:
        try:
            envelope = verify_tenant_event(EventEnvelope.from_kafka(headers, value))
            self.ring.apply(envelope)
            self.directory.apply(envelope)
        except (EnvelopeError, ValueError) as error:
            # The tenant-keys consumer dead-letters malformed records; here they are only skipped.
            log.warning("tenants record skipped by the key ring", extra={"error": type(error).__name__})
