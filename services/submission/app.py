"""Submission's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.submission.adapters.clearinghouse_http import HttpClearinghouse
from services.submission.adapters.tables import api_keys, messaging
from services.submission.entrypoints import http, http_corrections, http_scrubber
from services.submission.entrypoints.consumers import HANDLERS, TOPICS
from services.submission.entrypoints.dispatcher import run_dispatcher
from shared.http.service_app import build_service_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, app: FastAPI) -> None:
    runtime.add_consumer("submission.coded-claims", TOPICS, HANDLERS)
    clearinghouse = HttpClearinghouse(runtime.settings.clearinghouse_url)
    app.state.clearinghouse = clearinghouse
    runtime.add_loop("submission-dispatcher", lambda: run_dispatcher(runtime.sessions, clearinghouse))


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the submission app."""
    return build_service_app(
        service="submission", title="Claimline submission", settings=settings or ServiceSettings(),
        description="Scrubbing, X12 837P/837I, clearinghouse submission, 999/277CA, follow-up, corrections.",
        tables=messaging, api_keys=api_keys, wire=_wire,
        routers=[http.router, http_scrubber.router, http_corrections.router])
