"""Coding's composition root: the coding engines start loading here, once per process."""

from __future__ import annotations

from fastapi import FastAPI

from services.coding.adapters.coding_engines import CodingEnginesLoading
from services.coding.adapters.tables import api_keys, audit_log, messaging
from services.coding.entrypoints import http, http_review_queue
from services.coding.entrypoints.consumers import TENANT_POLICY_TOPICS, TOPICS, coding_handlers, tenant_policy_handlers
from services.coding.service_layer.release_coverage import observe_release_coverage
from shared.http.service_app import build_service_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, app: FastAPI) -> None:
    engines = CodingEnginesLoading()  # reference data and the NLP pipeline, once per process, off the loop
    engines.start()
    app.state.coding_engines = engines
    runtime.add_readiness_check("coding_engines", engines.state)  # not ready to code until they are loaded
    runtime.add_consumer("coding.claims", TOPICS, coding_handlers(engines))
    runtime.add_consumer("coding.tenant-policies", TENANT_POLICY_TOPICS, tenant_policy_handlers())
    observe_release_coverage()


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the coding app."""
    return build_service_app(
        service="coding", title="Claimline coding", settings=settings or ServiceSettings(),
        description="Code assignment and review: ICD-10-CM and CPT/HCPCS from the clinical note, compliance "
                    "edits, and the coder review queue.",
        tables=messaging, api_keys=api_keys, audit_log=audit_log,
        routers=[http.router, http_review_queue.router], wire=_wire)
