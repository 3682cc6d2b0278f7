"""A practice-management system's webhook receiver, stood up inside the test process.

It records every POST (headers, raw body, arrival time) and answers from a per-path plan: the
first arrivals of each webhook-id get the planned codes, later ones the final code, optionally
after a delay. Keyed by webhook-id, so other claims' deliveries to the same path cannot use up a
test's failures.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.webhooks import verify


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    answered: int

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    def verifies_with(self, secret: str) -> bool:
        """Standard Webhooks verification as a receiver does it, at the time the webhook arrived."""
        try:
            verify(secret, self.headers, self.body, now=self.received_at)
        except ValueError:
            return False
        return True


@dataclass
class WebhookReceiver:
    base_url: str
    received: list[ReceivedWebhook] = field(default_factory=list)
    plans: dict[str, tuple[list[int], int, float]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base_url}/hooks/{path}"

    def answer(self, path: str, first: Iterable[int] = (), then: int = 200, delay: float = 0.0) -> None:
        """Answer each webhook-id's first POSTs to path with `first`, in order, and every later one with `then`.

        With a delay, every answer comes that many seconds after the request arrived (it is recorded at once).
        """
        self.plans[path] = (list(first), then, delay)

    def at(self, path: str, claim_id: str | None = None) -> list[ReceivedWebhook]:
        """What arrived at path (about one claim when given), in arrival order."""
        return [w for w in self.received if w.path == path
                and (claim_id is None or w.payload["data"]["claim_id"] == claim_id)]

    async def _receive(self, request: Request) -> Response:
        path = request.path_params["path"]
        first, then, delay = self.plans.get(path, ([], 200, 0.0))
        earlier = sum(1 for w in self.received if w.path == path and w.webhook_id == request.headers.get("webhook-id"))
        status = first[earlier] if earlier < len(first) else then
        self.received.append(ReceivedWebhook(path, dict(request.headers), await request.body(), time.time(), status))
        if delay:
            await asyncio.sleep(delay)
        return Response(status_code=status)


@asynccontextmanager
async def running_receiver(port: int | None = None) -> AsyncIterator[WebhookReceiver]:
    """Serve a receiver on 127.0.0.1 (on `port` when given) until the block ends."""
    port = port or free_port()
    receiver = WebhookReceiver(f"http://127.0.0.1:{port}")
    app = Starlette(routes=[Route("/hooks/{path:path}", receiver._receive, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
