"""Coding's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.coding.adapters.tables import api_keys, messaging
from services.coding.entrypoints import http
from services.coding.entrypoints.consumers import HANDLERS, TOPICS
from shared.http.service_app import build_service_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, _app: FastAPI) -> None:
    runtime.add_consumer("coding.claims", TOPICS, HANDLERS)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the coding app."""
    return build_service_app(
        service="coding", title="Claimline coding", settings=settings or ServiceSettings(),
        description="Code assignment and review: ICD-10-CM and CPT/HCPCS with compliance edits.",
        tables=messaging, api_keys=api_keys, routers=[http.router], wire=_wire)
