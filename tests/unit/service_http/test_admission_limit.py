"""A full process says so at once (503 with Retry-After) instead of queueing requests until clients time out."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from shared.http.admission import AdmissionLimit
from shared.http.problems import install_problem_handlers


def app_with_a_gate(gate: asyncio.Event, limit: int) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/v1/work")
    async def work() -> dict[str, str]:
        await gate.wait()
        return {"done": "yes"}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(AdmissionLimit, max_in_flight=limit)
    return app


async def test_requests_beyond_the_limit_are_shed_at_once_and_the_admitted_ones_finish() -> None:
    gate = asyncio.Event()
    transport = httpx.ASGITransport(app=app_with_a_gate(gate, limit=3))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        admitted = [asyncio.create_task(client.post("/v1/work")) for _ in range(3)]
        await asyncio.sleep(0.05)  # the three are under way, waiting on the gate
        shed = await asyncio.wait_for(client.post("/v1/work"), 1)
        health = await asyncio.wait_for(client.get("/healthz"), 1)
        gate.set()
        finished = await asyncio.gather(*admitted)
        after = await client.post("/v1/work")
    assert shed.status_code == 503
    assert shed.headers["retry-after"] == "1"
    assert shed.headers["content-type"] == "application/problem+json"
    assert shed.json()["type"].endswith("/service-unavailable")
    assert health.status_code == 200, "a full process still answers its health check"
    assert [r.status_code for r in finished] == [200, 200, 200]
    assert after.status_code == 200, "once requests finish, new ones are admitted again"
