"""Denials' composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.denials.adapters.tables import api_keys, messaging
from services.denials.entrypoints import http
from services.denials.entrypoints.consumers import HANDLERS, TOPICS
from shared.http.service_app import build_service_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, _app: FastAPI) -> None:
    runtime.add_consumer("denials.remittances", TOPICS, HANDLERS)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the denials app."""
    return build_service_app(
        service="denials", title="Claimline denials", settings=settings or ServiceSettings(),
        description="Denial classification (CARC/RARC), work queues, corrections and appeals.",
        tables=messaging, api_keys=api_keys, routers=[http.router], wire=_wire)
