"""A service started while the broker is down opens anyway and connects when the broker comes back.

The runtime's bootstrap address is a port nobody listens on; the test then opens a TCP proxy there to
the real broker (after bootstrap, clients talk to the broker's advertised address directly). Until
then readiness says 'connecting' and what the service writes waits in its outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid

from services.intake.adapters.tables import api_keys
from services.intake.adapters.tables import messaging as intake_tables
from shared.db import unit_of_work
from shared.messaging.outbox import record_events
from shared.messaging.topics import events_topic, physical_topic
from shared.runtime import ServiceRuntime
from tests.integration.test_outbox_and_consumers import received_envelope
from tests.support.environment import IsolatedEnvironment
from tests.support.kafka import header, read_topic


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


async def _proxy_to(upstream: str, port: int) -> asyncio.Server:
    host, upstream_port = upstream.rsplit(":", 1)

    async def forward(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        broker_reader, broker_writer = await asyncio.open_connection(host, int(upstream_port))
        await asyncio.gather(_pipe(client_reader, broker_writer), _pipe(broker_reader, client_writer))

    return await asyncio.start_server(forward, "127.0.0.1", port)


async def _until(probe, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := await probe()):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)
    return result


async def test_a_service_started_with_the_broker_down_connects_when_it_returns(
        isolated: IsolatedEnvironment) -> None:
    port = _free_port()
    runtime = ServiceRuntime("intake", isolated.settings(kafka_bootstrap=f"127.0.0.1:{port}"), intake_tables,
                             api_keys)
    runtime.add_consumer(f"it.broker-down.{uuid.uuid4().hex[:6]}", [events_topic("intake")], {})
    proxy: asyncio.Server | None = None
    try:
        await asyncio.wait_for(runtime.start(), timeout=30)  # returns: the service opens without the broker
        checks = await runtime.readiness()
        assert checks["broker"] == "connecting" and checks["database"] == "ok", checks

        envelope = received_envelope(str(uuid.uuid4()))
        async with unit_of_work(runtime.sessions) as session:  # accepted meanwhile: waits in the outbox
            await record_events(session, intake_tables, events_topic("intake"), [envelope], expected_version=0)

        proxy = await _proxy_to(isolated.kafka_bootstrap, port)

        async def ready() -> bool:
            checks = await runtime.readiness()
            return checks["broker"] == "ok" and checks["background"] == "ok"

        await _until(ready)
        topic = physical_topic(events_topic("intake"), isolated.namespace)
        records = await read_topic(isolated.kafka_bootstrap, topic, 1)
        assert [header(r, "ce_id") for r in records].count(envelope.id) == 1
    finally:
        await runtime.stop()
        if proxy is not None:
            proxy.close()
