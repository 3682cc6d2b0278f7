"""Faults the simulator can inject on request, for the fault suite (tools/chaos).

PUT /v1/faults  {"submission_fail_before_rate": 0.05, ...}  sets the plan (every rate 0 by default)
GET /v1/faults  the plan and how many faults of each kind were injected so far

Submission faults act on POST /v1/interchanges: `fail_before` answers 503 without reading the
interchange; `fail_after` records it and then answers 502 (the answer was lost, a retry with the
same key must be replayed, not recorded twice); `timeout` records it and holds the answer longer
than the sender waits; `delay` holds it briefly and answers normally. Webhook duplication sends a
delivered webhook once more, at the same time as a second copy, under the same webhook-id, as an
at-least-once sender may. Nothing is injected unless asked: the plan starts empty.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tools.clearinghouse.webhook_delivery import RetryPolicy, WebhookMessage, WebhookSender

FAULTED_PATH = "/v1/interchanges"
router = APIRouter()


class FaultPlan(BaseModel):
    """Rates are fractions of calls, each in [0, 1]; the first kind that fires for a call wins."""

    model_config = ConfigDict(extra="forbid")

    submission_fail_before_rate: float = Field(default=0.0, ge=0, le=1)
    submission_fail_after_rate: float = Field(default=0.0, ge=0, le=1)
    submission_timeout_rate: float = Field(default=0.0, ge=0, le=1)
    submission_timeout_seconds: float = Field(default=12.0, ge=0, le=120, description="above the sender's timeout")
    submission_delay_rate: float = Field(default=0.0, ge=0, le=1)
    submission_delay_seconds: float = Field(default=0.5, ge=0, le=30)
    webhook_duplicate_rate: float = Field(default=0.0, ge=0, le=1)


class SimulatedFaults:
    """The current plan, the dice and the tally of what was injected."""

    def __init__(self, rng: random.Random | None = None):
        self.plan = FaultPlan()
        self.injected: Counter[str] = Counter()
        self.rng = rng or random.Random()

    def fires(self, rate: float) -> bool:
        """True with probability rate."""
        return rate > 0 and self.rng.random() < rate

    def submission_fault(self) -> str | None:
        """Which fault, if any, this interchange call gets."""
        plan = self.plan
        for kind, rate in (("fail_before", plan.submission_fail_before_rate),
                           ("fail_after", plan.submission_fail_after_rate),
                           ("timeout", plan.submission_timeout_rate),
                           ("delay", plan.submission_delay_rate)):
            if self.fires(rate):
                self.injected[f"submission_{kind}"] += 1
                return kind
        return None

    def as_json(self) -> dict[str, Any]:
        """The plan and the counts, as GET /v1/faults shows them."""
        return {"plan": self.plan.model_dump(), "injected": dict(self.injected)}


class DuplicatingWebhookSender(WebhookSender):
    """A WebhookSender that, when the plan says so, delivers a delivered webhook twice more at once."""

    def __init__(self, client: httpx.AsyncClient, secret: str, policy: RetryPolicy, faults: SimulatedFaults):
        super().__init__(client, secret, policy)
        self.faults = faults

    async def deliver(self, message: WebhookMessage) -> bool:
        """Deliver; on success maybe deliver the same message (same webhook-id) twice concurrently."""
        delivered = await super().deliver(message)
        if delivered and self.faults.fires(self.faults.plan.webhook_duplicate_rate):
            self.faults.injected["webhook_duplicate"] += 2
            await asyncio.gather(super().deliver(message), super().deliver(message))
        return delivered


def install_faults(app: FastAPI, faults: SimulatedFaults) -> None:
    """Route /v1/faults and put the submission faults in front of POST /v1/interchanges."""
    app.state.faults = faults
    app.include_router(router)

    @app.middleware("http")
    async def submission_faults(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method != "POST" or request.url.path != FAULTED_PATH:
            return await call_next(request)
        kind = faults.submission_fault()
        if kind == "fail_before":
            return _unavailable(503, "injected fault: the interchange was not read")
        if kind == "delay":
            await asyncio.sleep(faults.plan.submission_delay_seconds)
        response = await call_next(request)
        if kind == "fail_after":
            return _unavailable(502, "injected fault: the interchange was recorded, the answer lost")
        if kind == "timeout":
            await asyncio.sleep(faults.plan.submission_timeout_seconds)
        return response


def _unavailable(status: int, detail: str) -> Response:
    body = {"type": "urn:claimline:clearinghouse:injected-fault", "title": "Injected fault", "status": status,
            "detail": detail}
    return JSONResponse(body, status, media_type="application/problem+json")


@router.get("/v1/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    """The fault plan and what was injected so far."""
    return request.app.state.faults.as_json()


@router.put("/v1/faults")
async def put_faults(request: Request, plan: FaultPlan) -> dict[str, Any]:
    """Replace the fault plan (an empty body turns every fault off); the counts are kept."""
    request.app.state.faults.plan = plan
    return request.app.state.faults.as_json()
