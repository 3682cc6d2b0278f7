"""The five services and the clearinghouse simulator as uvicorn servers inside the test process.

Lets a test see every span the services make (one in-memory exporter) while they talk to each
other through the real broker and database of an isolated environment.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from services.coding.app import create_app as coding_app
from services.denials.app import create_app as denials_app
from services.intake.app import create_app as intake_app
from services.remittance.app import create_app as remittance_app
from services.submission.app import create_app as submission_app
from tests.support.environment import IsolatedEnvironment
from tools.clearinghouse.app import create_app as clearinghouse_app
from tools.clearinghouse.settings import ClearinghouseSettings

FACTORIES = {"intake": intake_app, "coding": coding_app, "submission": submission_app,
             "remittance": remittance_app, "denials": denials_app}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class InProcessStack:
    urls: dict[str, str]


async def _serve(app: FastAPI, port: int) -> tuple[uvicorn.Server, asyncio.Task]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    return server, task


@asynccontextmanager
async def in_process_stack(environment: IsolatedEnvironment) -> AsyncIterator[InProcessStack]:
    """Start the simulator and the five services; stop them all on exit."""
    ports = {name: free_port() for name in (*FACTORIES, "clearinghouse")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    running: list[tuple[uvicorn.Server, asyncio.Task]] = []
    try:
        simulator = clearinghouse_app(ClearinghouseSettings(
            webhook_secret=environment.webhook_secret, port=ports["clearinghouse"],
            ack_webhook_url=urls["submission"] + "/v1/webhooks/clearinghouse",
            era_webhook_url=urls["remittance"] + "/v1/webhooks/clearinghouse"))
        running.append(await _serve(simulator, ports["clearinghouse"]))
        for name, factory in FACTORIES.items():
            app = factory(environment.settings(http_port=ports[name], clearinghouse_url=urls["clearinghouse"]))
            running.append(await _serve(app, ports[name]))
        yield InProcessStack(urls)
    finally:
        for server, _task in reversed(running):
            server.should_exit = True
        await asyncio.gather(*(task for _server, task in running), return_exceptions=True)
