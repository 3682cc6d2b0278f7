"""Denials' composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.denials.adapters.tables import api_keys, audit_log, messaging
from services.denials.entrypoints import http, http_recovery
from services.denials.entrypoints.consumers import TOPICS, handlers_for
from services.denials.service_layer.deadlines import run_deadline_alerts
from services.denials.service_layer.policy import DenialsPolicy
from shared.http.service_app import build_service_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, app: FastAPI) -> None:
    policy = DenialsPolicy.from_environment()
    app.state.policy = policy
    # A new group name: the old one only read remittance; this one also reads submission from the start.
    runtime.add_consumer("denials.claims", TOPICS, handlers_for(policy))
    runtime.add_loop("denials-deadline-alerts", lambda: run_deadline_alerts(runtime.sessions, policy))


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the denials app."""
    return build_service_app(
        service="denials", title="Claimline denials", settings=settings or ServiceSettings(),
        description="Denial classification (CARC/RARC), work queues, corrections, appeals, write-offs, "
                    "scrubber proposals and analytics.",
        tables=messaging, api_keys=api_keys, audit_log=audit_log,
        routers=[http.router, http_recovery.router], wire=_wire)
