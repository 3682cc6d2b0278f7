"""Intake's composition root: the one place its concrete parts are built and wired."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.adapters.tables import api_keys, audit_log, messaging
from services.intake.domain.validation import icd10cm_releases
from services.intake.entrypoints import (
    http,
    http_admin,
    http_admin_claims,
    http_admin_coding_policy,
    http_admin_signing_keys,
    http_claims_query,
    http_corrections,  # GET/PUT /v1/claims/{id}/encounter
    http_formats,  # FHIR Claim and X12 837P ways in
    http_oauth,
    http_webhooks,
)
from services.intake.entrypoints.access_wiring import wire_access
from services.intake.entrypoints.claim_status_gauge import ClaimStatusGauge
from services.intake.entrypoints.consumers import TIMELINE_TOPICS, timeline_handlers
from services.intake.entrypoints.http_formats import MAX_837_BYTES, MAX_FHIR_CLAIM_BYTES
from services.intake.entrypoints.http_oauth import MAX_FORM_BYTES
from services.intake.entrypoints.webhook_dispatcher import OutboundWebhookSettings, WebhookDispatcher
from shared.http.request_body import BodyRules
from shared.http.service_app import build_service_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

# Every other route takes at most 1 MiB. Encounters must be strict JSON (content type, UTF-8, no
# repeated key), refused as problem+json before the route reads them.
BODY_RULES = {
    "/v1/encounters": BodyRules(strict_json=True),
    "/v1/x12/837": BodyRules(max_bytes=MAX_837_BYTES),
    "/v1/fhir/Claim": BodyRules(max_bytes=MAX_FHIR_CLAIM_BYTES),
    "/v1/oauth/token": BodyRules(max_bytes=MAX_FORM_BYTES),
}


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
        tables=messaging, api_keys=api_keys, audit_log=audit_log, wire=wire,
        routers=[http.router, http_claims_query.router, http_oauth.router, http_admin.router,
                 http_admin_claims.router, http_admin_signing_keys.router, http_admin_coding_policy.router,
                 http_webhooks.router, http_formats.router, http_corrections.router],
        body_rules=BODY_RULES)
    app.state.outbound_webhooks = webhook_settings  # registration checks URLs and counts endpoints by them
    return app
