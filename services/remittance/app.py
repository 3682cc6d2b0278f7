"""Remittance's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.remittance.adapters.tables import api_keys, audit_log, messaging
from services.remittance.entrypoints import http, http_ledger, http_operator, http_patients, http_receivables
from services.remittance.entrypoints.consumers import (
    ENCOUNTER_HANDLERS,
    ENCOUNTER_TOPICS,
    HANDLERS,
    PAYEE_HANDLERS,
    PAYEE_TOPICS,
    TOPICS,
)
from services.remittance.entrypoints.loops import statement_cycle, statement_cycle_seconds
from shared.http.service_app import build_service_app
from shared.http.webhook_receiver import WEBHOOK_BODY_RULES
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, _app: FastAPI) -> None:
    runtime.add_consumer("remittance.submitted-claims", TOPICS, HANDLERS)
    runtime.add_consumer("remittance.received-claims", ENCOUNTER_TOPICS, ENCOUNTER_HANDLERS)
    # Its own group beside remittance.tenant-keys (shared/runtime): api keys and payees apply independently.
    runtime.add_consumer("remittance.tenant-payees", PAYEE_TOPICS, PAYEE_HANDLERS)
    runtime.add_loop("remittance.statement-cycle", statement_cycle(runtime, statement_cycle_seconds()))


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the remittance app."""
    return build_service_app(
        service="remittance", title="Claimline remittance", settings=settings or ServiceSettings(),
        description="835 ERA ingestion, payment posting, patient responsibility and accounts receivable.",
        tables=messaging, api_keys=api_keys, audit_log=audit_log, wire=_wire,
        routers=[http.router, http_ledger.router, http_patients.router, http_receivables.router,
                 http_operator.router],
        body_rules=WEBHOOK_BODY_RULES)
