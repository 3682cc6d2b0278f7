"""An isolated environment on the test stack's Kafka and PostgreSQL: own database, own topic namespace.

In-process services and consumers run here without disturbing the stack's own processes.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import asyncpg

from shared.messaging.topics import ensure_topics, stack_topics
from shared.migrations import upgrade
from shared.settings import ServiceSettings

SERVICES = ("intake", "coding", "submission", "remittance", "denials")


@dataclass(frozen=True)
class IsolatedEnvironment:
    database_url: str
    kafka_bootstrap: str
    namespace: str
    webhook_secret: str

    def settings(self, **overrides: object) -> ServiceSettings:
        values = {"database_url": self.database_url, "kafka_bootstrap": self.kafka_bootstrap,
                  "kafka_namespace": self.namespace, "webhook_secret": self.webhook_secret,
                  "relay_idle_seconds": 0.02, **overrides}
        return ServiceSettings(**values)  # type: ignore[arg-type]


async def create_isolated_environment(database_url: str, kafka_bootstrap: str, webhook_secret: str,
                                      label: str) -> IsolatedEnvironment:
    """A fresh database migrated to head and a namespace with every topic created."""
    name = f"it_{label}_{uuid.uuid4().hex[:8]}"
    server_dsn = database_url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    connection = await asyncpg.connect(server_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    isolated_url = database_url.rsplit("/", 1)[0] + "/" + name
    # Alembic's env runs its own event loop: keep it off ours.
    for service in SERVICES:
        await asyncio.to_thread(upgrade, service, isolated_url)
    namespace = f"{name}."
    await ensure_topics(kafka_bootstrap, stack_topics(partitions=2), namespace=namespace)
    return IsolatedEnvironment(isolated_url, kafka_bootstrap, namespace, webhook_secret)
