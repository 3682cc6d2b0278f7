"""Intake's composition root: the one place its concrete parts are built and wired."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.adapters.tables import api_keys, messaging
from services.intake.entrypoints import http
from services.intake.entrypoints.consumers import TIMELINE_TOPICS, timeline_handlers
from shared.http.service_app import build_service_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, _app: FastAPI) -> None:
    runtime.add_consumer("intake.timeline", TIMELINE_TOPICS, timeline_handlers())


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the intake app; its lifespan starts the relay and the consumers."""
    return build_service_app(
        service="intake", title="Claimline intake", settings=settings or ServiceSettings(),
        description="Encounters in, claims out: the API practice-management systems integrate with.",
        tables=messaging, api_keys=api_keys, routers=[http.router], wire=_wire)
