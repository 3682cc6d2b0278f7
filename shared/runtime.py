"""What every service process runs besides its HTTP routes: engine, producer, relay, consumers, loops.

Built in the service's composition root (app lifespan), never at import time. A process has a role
(`ServiceSettings.process_role`): `api` serves HTTP and runs only what requests need (the tenants topic
follower, and loops registered for the API); `worker` runs the outbox relay, the consumers and the
background loops; `all` does both in one process (the local stack). They scale apart: HTTP is never
queued behind a consumer batch, and workers can be added without adding HTTP servers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence

from aiokafka.errors import KafkaConnectionError
from sqlalchemy import MetaData, Table, text

from shared.access_tokens import SigningKeyRing
from shared.db import create_engine, session_factory
from shared.events.registry import CONTRACTS
from shared.messaging.consumer import ClaimEventConsumer
from shared.messaging.deliveries import BatchHandler, Handler
from shared.messaging.relay import OutboxRelay, build_producer
from shared.messaging.tables import MessagingTables, messaging_tables
from shared.messaging.tenants_follower import TenantsTopicFollower
from shared.messaging.topics import TENANTS_TOPIC
from shared.settings import ProcessRole, ServiceSettings
from shared.tenancy import TenantAuthenticator, api_keys_table, tenant_key_handlers
from shared.tenant_directory import TenantDirectory

log = logging.getLogger(__name__)
BROKER_RETRY_FIRST_SECONDS = 0.5
BROKER_RETRY_MAX_SECONDS = 10.0


def service_metadata(schema: str) -> tuple[MetaData, MessagingTables, Table]:
    """A service's metadata with the messaging tables and the api_keys projection declared."""
    metadata = MetaData(schema=schema)
    return metadata, messaging_tables(metadata), api_keys_table(metadata)


class ServiceRuntime:
    """Owns the engine, the producer, the relay and the consumers of one service process."""

    def __init__(self, service: str, settings: ServiceSettings, tables: MessagingTables, api_keys: Table):
        self.service = service
        self.settings = settings
        self.role: ProcessRole = settings.process_role
        self.tables = tables
        self.engine = create_engine(settings.database_url, instrument=settings.trace_sql_statements,
                                    pool_size=settings.database_pool_size,
                                    pool_timeout=settings.database_pool_timeout_seconds)
        self.sessions = session_factory(self.engine)
        self.producer = build_producer(settings.kafka_bootstrap)
        self.relay = OutboxRelay(settings.database_url, tables, self.producer, batch_size=settings.relay_batch_size,
                                 idle_seconds=settings.relay_idle_seconds, namespace=settings.kafka_namespace)
        # Signing keys, API keys, revocations and tenants' budgets, read from the tenants topic into memory.
        self.key_ring = SigningKeyRing()
        self.tenant_directory = TenantDirectory()
        self.tenants_follower = TenantsTopicFollower(settings.kafka_bootstrap, settings.kafka_namespace,
                                                     self.key_ring, self.tenant_directory)
        self.authenticate = TenantAuthenticator(self.sessions, api_keys, self.key_ring,
                                                self.tenants_follower.caught_up, self.tenant_directory)
        self.consumers: list[ClaimEventConsumer] = []
        self._tasks: list[asyncio.Task] = []
        self._api_keys = api_keys
        self._loops: list[tuple[str, Callable[[], Awaitable[None]], ProcessRole]] = []
        self._readiness_checks: dict[str, Callable[[], str]] = {}
        self._started = False
        self._producer_started = False
        self._connecting: asyncio.Task | None = None

    @property
    def runs_workers(self) -> bool:
        """Whether this process runs the relay, the consumers and the worker loops."""
        return self.role in ("worker", "all")

    @property
    def serves_api(self) -> bool:
        """Whether this process serves the service's HTTP API."""
        return self.role in ("api", "all")

    def add_loop(self, name: str, run: Callable[[], Awaitable[None]], role: ProcessRole = "worker") -> None:
        """A background loop of the service's own (a dispatcher, a scheduler) that starts with the processes
        of `role` (`all`: every process)."""
        self._loops.append((name, run, role))

    def add_readiness_check(self, name: str, check: Callable[[], str]) -> None:
        """A part of the service's own that must be "ok" before the process is ready (e.g. coding's engines)."""
        self._readiness_checks[name] = check

    def add_consumer(self, name: str, topics: Sequence[str],
                     handlers: Mapping[str, Handler | BatchHandler]) -> ClaimEventConsumer:
        """Register a consumer group; it starts with a worker process."""
        consumer = ClaimEventConsumer(
            name=name, topics=topics, bootstrap=self.settings.kafka_bootstrap, sessions=self.sessions,
            tables=self.tables, registry=CONTRACTS, handlers=handlers,
            max_attempts=self.settings.consumer_max_attempts, batch_size=self.settings.consumer_batch_size,
            namespace=self.settings.kafka_namespace)
        self.consumers.append(consumer)
        return consumer

    def add_tenant_key_projection(self) -> None:
        """Keep this service's api_keys table and token key ring in step with the tenants topic."""
        self.add_consumer(f"{self.service}.tenant-keys", [TENANTS_TOPIC], tenant_key_handlers(self._api_keys))
        self.add_loop(f"{self.service}.tenants-follower", self.tenants_follower.run, role="all")

    async def start(self) -> None:
        """Connect to the broker and start the relay, consumers and loops. With the broker down the
        service still opens (its HTTP writes wait in the outbox, readiness says so) and keeps
        connecting in the background: a broker restart must not need every service restarted."""
        self._started = True
        try:
            await self._connect()
        except KafkaConnectionError:
            log.warning("broker unreachable at start; connecting in the background", extra={"service": self.service})
            self._connecting = asyncio.create_task(self._connect_until_up(), name=f"{self.service}-connect")
            self._connecting.add_done_callback(self._on_task_done)
            return
        self._run_background()

    async def _connect(self) -> None:
        """Start whatever of the producer and consumers is not started yet; raises while the broker is down."""
        if not self.runs_workers:
            return  # an API process writes only to the database; its tenants follower connects on its own
        if not self._producer_started:
            await self.producer.start()
            self._producer_started = True
        for consumer in self.consumers:
            if consumer.consumer is None:
                await consumer.start()

    async def _connect_until_up(self) -> None:
        delay = BROKER_RETRY_FIRST_SECONDS
        while True:
            await asyncio.sleep(delay)
            try:
                await self._connect()
            except KafkaConnectionError:
                delay = min(delay * 2, BROKER_RETRY_MAX_SECONDS)
                log.warning("broker still unreachable", extra={"service": self.service, "retry_in_seconds": delay})
                continue
            log.info("broker connected", extra={"service": self.service})
            self._run_background()
            return

    def _run_background(self) -> None:
        if self.runs_workers:
            self._tasks = [asyncio.create_task(self.relay.run(), name=f"{self.service}-relay")]
            self._tasks += [asyncio.create_task(c.run(), name=c.name) for c in self.consumers]
        self._tasks += [asyncio.create_task(run(), name=name) for name, run, role in self._loops
                        if role == "all" or role == self.role or self.role == "all"]
        for task in self._tasks:
            task.add_done_callback(self._on_task_done)

    def _on_task_done(self, task: asyncio.Task) -> None:
        if task.cancelled() or not self._started:
            return
        error = task.exception()
        if error is not None:
            # A dead loop must not leave a live-looking process: stop so the supervisor restarts us.
            log.critical("background loop died; stopping", extra={"task": task.get_name(),
                                                                  "error": type(error).__name__})
            os.kill(os.getpid(), signal.SIGTERM)

    async def stop(self) -> None:
        self._started = False
        if self._connecting is not None:
            self._connecting.cancel()
        self.relay.stop()
        for consumer in self.consumers:
            await consumer.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.producer.stop()
        await self.engine.dispose()

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state: database, broker, consumers."""
        checks = {}
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - reported, not raised
            checks["database"] = f"unavailable: {type(error).__name__}"
        if self.runs_workers:
            checks["broker"] = "ok" if self._producer_started else "connecting"
            checks["consumers"] = "ok" if all(c.consumer is not None and c.consumer.assignment() is not None
                                              for c in self.consumers) else "starting"
        checks["background"] = "ok" if self._tasks and not any(t.done() for t in self._tasks) else "stopped"
        checks.update({name: check() for name, check in self._readiness_checks.items()})
        return checks
