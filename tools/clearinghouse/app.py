"""Composition root of the clearinghouse simulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from tools.clearinghouse import appeals
from tools.clearinghouse.claim_status_endpoint import router as claim_status_router
from tools.clearinghouse.endpoints import router
from tools.clearinghouse.faults import DuplicatingWebhookSender, SimulatedFaults, install_faults
from tools.clearinghouse.ledger import Ledger
from tools.clearinghouse.payer_rules import load_payers
from tools.clearinghouse.settings import ClearinghouseSettings
from tools.clearinghouse.simulator import ClearinghouseSimulator, Routes
from tools.clearinghouse.webhook_delivery import BackgroundJobs, RetryPolicy


def utc_now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


def create_app(
    settings: ClearinghouseSettings,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
) -> FastAPI:
    """The simulator app; payers, HTTP client and state are built when it starts, not before."""
    faults = SimulatedFaults()  # off until PUT /v1/faults asks for some (the fault suite does)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Build payers, HTTP client, state and background jobs; cancel the jobs on shutdown."""
        payers = load_payers(settings.payers_file)
        timeout = httpx.Timeout(settings.webhook_timeout_seconds)
        async with httpx.AsyncClient(transport=webhook_transport, timeout=timeout) as client:
            policy = RetryPolicy(
                initial_seconds=settings.webhook_retry_initial_seconds,
                maximum_seconds=settings.webhook_retry_max_seconds,
                give_up_after_seconds=settings.webhook_retry_window_seconds,
            )
            sender = DuplicatingWebhookSender(client, settings.webhook_secret.get_secret_value(), policy, faults)
            jobs = BackgroundJobs()
            ledger = Ledger(clock)
            routes = Routes(
                settings.ack_webhook_url, settings.era_webhook_url, settings.adjudication_delay_seconds
            )
            app.state.ledger = ledger
            app.state.jobs = jobs
            app.state.simulator = ClearinghouseSimulator(payers, ledger, sender, jobs, routes, clock)
            try:
                yield
            finally:
                await jobs.close()

    app = FastAPI(title="Clearinghouse simulator", version="1", lifespan=lifespan)
    app.include_router(router)
    app.include_router(claim_status_router)
    app.include_router(appeals.router)
    install_faults(app, faults)
    return app
