"""python -m tools.clearinghouse as a real process, posting its webhooks to a real uvicorn receiver."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from .testkit import SECRET, TRACEPARENT, WebhookReceiver, assert_signed, read_fixture

REPOSITORY = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[WebhookReceiver, str]]:
    """A WebhookReceiver served by uvicorn on a free port."""
    app = WebhookReceiver()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
            await asyncio.sleep(0.02)
    yield app, f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
async def clearinghouse(receiver: tuple[WebhookReceiver, str]) -> AsyncIterator[str]:
    """The simulator in its own process, configured only through the environment."""
    _, receiver_url = receiver
    port = free_port()
    environment = {
        **os.environ,
        "WEBHOOK_SECRET": SECRET,
        "CLEARINGHOUSE_PORT": str(port),
        "CLEARINGHOUSE_ACK_WEBHOOK_URL": f"{receiver_url}/submission/webhooks",
        "CLEARINGHOUSE_ERA_WEBHOOK_URL": f"{receiver_url}/remittance/webhooks",
        "CLEARINGHOUSE_ADJUDICATION_DELAY_SECONDS": "0.05",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tools.clearinghouse", cwd=REPOSITORY, env=environment,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url) as client, asyncio.timeout(20):
            while True:
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.returncode is None, "the simulator process exited"
                await asyncio.sleep(0.05)
        yield base_url
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def test_process_answers_over_real_http(
    clearinghouse: str, receiver: tuple[WebhookReceiver, str]
) -> None:
    hooks, _ = receiver
    async with httpx.AsyncClient(base_url=clearinghouse) as client:
        response = await client.post(
            "/v1/interchanges",
            content=read_fixture("837p_simpay_two_claims.x12"),
            headers={
                "Idempotency-Key": "process-1",
                "traceparent": TRACEPARENT,
                "Content-Type": "application/edi-x12",
            },
        )
        assert response.status_code == 202
        received = await hooks.wait_for(3, within_seconds=15)
        assert [(h.path, h.event_type) for h in received] == [
            ("/submission/webhooks", "x12.999"),
            ("/submission/webhooks", "x12.277ca"),
            ("/remittance/webhooks", "x12.835"),
        ]
        for hook in received:
            assert_signed(hook)
            assert hook.headers["traceparent"] == TRACEPARENT
        listed = (await client.get("/v1/interchanges")).json()["interchanges"]
        assert [(i["interchange_control_number"], i["idempotency_key"]) for i in listed] == [
            ("000000101", "process-1")
        ]
