"""Intake's composition root: the one place its concrete parts are built and wired."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.adapters.tables import api_keys, messaging
from services.intake.domain.validation import icd10cm_releases
from services.intake.entrypoints import (
    http,
    http_admin,
    http_admin_claims,
    http_admin_coding_policy,
    http_claims_query,
    http_corrections,  # GET/PUT /v1/claims/{id}/encounter
    http_formats,  # FHIR Claim and X12 837P ways in
    http_oauth,
    http_webhooks,
)
from services.intake.entrypoints.access_wiring import wire_access
from services.intake.entrypoints.claim_status_gauge import ClaimStatusGauge
from services.intake.entrypoints.consumers import TIMELINE_TOPICS, timeline_handlers
from services.intake.entrypoints.rate_limit import install_rate_limit_problems
from services.intake.entrypoints.request_body import JsonBodyGuard
from services.intake.entrypoints.webhook_dispatcher import OutboundWebhookSettings, WebhookDispatcher
from shared.http.service_app import build_service_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, app: FastAPI) -> None:
    runtime.add_consumer("intake.timeline", TIMELINE_TOPICS, timeline_handlers())
    wire_access(runtime, app)  # token signing key, its announcement, per-tenant rate limits
    icd10cm_releases()  # read the ICD-10-CM releases now, not on the first encounter
    runtime.add_loop("intake.claim-status-gauge", ClaimStatusGauge(runtime.sessions).run)


def create_app(settings: ServiceSettings | None = None,
               outbound_webhooks: OutboundWebhookSettings | None = None) -> FastAPI:
    """Build the intake app; its lifespan starts the relay, the consumers and the webhook dispatcher."""
    webhook_settings = outbound_webhooks or OutboundWebhookSettings()

    def wire(runtime: ServiceRuntime, app: FastAPI) -> None:
        _wire(runtime, app)
        runtime.add_loop("intake.outbound-webhooks", WebhookDispatcher(runtime.sessions, webhook_settings).run)

    app = build_service_app(
        service="intake", title="Claimline intake", settings=settings or ServiceSettings(),
        description="Encounters in, claims out: the API practice-management systems integrate with.",
        tables=messaging, api_keys=api_keys, wire=wire,
        routers=[http.router, http_claims_query.router, http_oauth.router, http_admin.router,
                 http_admin_claims.router, http_admin_coding_policy.router, http_webhooks.router, http_formats.router,
                 http_corrections.router])
    # size, content type and JSON well-formedness are refused as problem+json before a route reads the body
    app.add_middleware(JsonBodyGuard, paths={"/v1/encounters"})
    install_rate_limit_problems(app)
    return app
