"""Load shedding: a process answers every request it admits in milliseconds, or says at once that it is full.

Requests beyond `max_in_flight` at once are answered 503 problem+json with Retry-After, without running:
past that point each admitted request would only wait longer for the same event loop, until clients time
out. The pipeline's own backlog never counts here (it waits in Kafka, as consumer lag); only this process's
requests under way do. Health, readiness and metrics are always admitted, so a full process is not
mistaken for a dead one.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.http.problems import service_unavailable
from shared.metrics import meter

ALWAYS_ADMITTED = frozenset({"/healthz", "/readyz", "/metrics"})
shed_requests = meter.create_counter("claimline.http.shed", unit="{request}",
                                     description="Requests answered 503 at once because the process was full")


class AdmissionLimit:
    """ASGI middleware: at most max_in_flight requests under way; the rest are told to retry."""

    def __init__(self, app: ASGIApp, max_in_flight: int, retry_after_seconds: int = 1,
                 always_admitted: Collection[str] = ALWAYS_ADMITTED):
        self.app = app
        self.max_in_flight = max_in_flight
        self.retry_after_seconds = retry_after_seconds
        self.always_admitted = frozenset(always_admitted)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.always_admitted:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            shed_requests.add(1)
            response = service_unavailable(f"this process has {self.max_in_flight} requests under way; try again",
                                           scope["path"], self.retry_after_seconds)
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
