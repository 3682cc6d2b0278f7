"""Submission's composition root."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.submission.adapters.claim_status_http import HttpClaimStatus
from services.submission.adapters.clearinghouse.config import TransportSettings, build_adapters
from services.submission.adapters.queued_versions_listener import QueuedVersionsListener
from services.submission.adapters.tables import api_keys, audit_log, messaging
from services.submission.domain.follow_up import bundled_policy
from services.submission.entrypoints import (
    http,
    http_acknowledgements,
    http_corrections,
    http_follow_up,
    http_learned_edits,
    http_scrubber,
)
from services.submission.entrypoints.consumers import TOPICS, coded_claim_handlers
from services.submission.entrypoints.dispatcher import run_dispatcher
from services.submission.entrypoints.follow_up_loop import run_follow_up_loop
from services.submission.entrypoints.learned_edit_consumers import LEARNED_EDIT_HANDLERS, LEARNED_EDIT_TOPICS
from services.submission.service_layer.batch_sending import send_due_batches
from services.submission.service_layer.follow_up import RemittanceArrivals
from services.submission.service_layer.handlers import DEFAULT_SUBMITTER
from shared.events.claim_events import RemittancePosted
from shared.http.service_app import build_service_app
from shared.http.webhook_receiver import WEBHOOK_BODY_RULES
from shared.messaging.topics import events_topic
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)
RECONCILE_TIMEOUT_SECONDS = 15.0


def _crash() -> None:
    log.critical("fault hook: exiting after the send, before 'sent' is recorded")
    os._exit(70)


def _wire(transport: TransportSettings) -> object:
    def wire(runtime: ServiceRuntime, app: FastAPI) -> None:
        runtime.add_consumer("submission.coded-claims", TOPICS, coded_claim_handlers())
        runtime.add_consumer("submission.learned-edits", LEARNED_EDIT_TOPICS, LEARNED_EDIT_HANDLERS)
        # asyncssh logs every connection and channel at INFO: noise for a poller that reconnects.
        logging.getLogger("asyncssh").setLevel(logging.WARNING)
        adapters = build_adapters(transport, runtime.settings.clearinghouse_url)
        app.state.clearinghouses = adapters
        app.state.transport = transport
        after_send = _crash if transport.fault_crash_after_send else (lambda: None)
        runtime.add_loop("submission-dispatcher", lambda: run_dispatcher(
            runtime.sessions, adapters, transport, DEFAULT_SUBMITTER, after_send,
            QueuedVersionsListener(runtime.settings.database_url)))
        _wire_follow_up(runtime, app)
    return wire


def _wire_follow_up(runtime: ServiceRuntime, app: FastAPI) -> None:
    # An 835 ends follow-up: its own consumer group, so it reads the remittance topic from the start.
    runtime.add_consumer("submission.remittance-follow-up", [events_topic("remittance")],
                         {RemittancePosted.event_type: RemittanceArrivals()})
    claim_status = HttpClaimStatus(runtime.settings.clearinghouse_url)
    app.state.claim_status = claim_status
    app.state.follow_up_policy = policy = bundled_policy()
    runtime.add_loop("submission-follow-up", lambda: run_follow_up_loop(runtime.sessions, claim_status, policy))


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the submission app."""
    transport = TransportSettings()
    app = build_service_app(
        service="submission", title="Claimline submission", settings=settings or ServiceSettings(),
        description="Scrubbing, X12 837P/837I, clearinghouse submission, 999/277CA, follow-up, corrections.",
        tables=messaging, api_keys=api_keys, audit_log=audit_log, wire=_wire(transport),  # type: ignore[arg-type]
        routers=[http.router, http_scrubber.router, http_acknowledgements.router, http_follow_up.router,
                 http_learned_edits.router, http_corrections.router],
        body_rules=WEBHOOK_BODY_RULES)
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with started(app):
            if app.state.runtime.runs_workers:
                await _reconcile(app)
            yield
            for adapter in app.state.clearinghouses.values():
                await adapter.close()

    app.router.lifespan_context = lifespan
    return app


async def _reconcile(app: FastAPI) -> None:
    """Resend batches a crash left 'sending' before the HTTP port opens: the acks for them (redelivered
    by the clearinghouse) must find them 'sent', not 'sending'."""
    try:
        await asyncio.wait_for(send_due_batches(app.state.runtime.sessions, app.state.clearinghouses,
                                                app.state.transport.backoff), RECONCILE_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - the dispatcher keeps trying; startup must not hang on it
        log.warning("startup reconciliation incomplete", extra={"error": type(error).__name__})
