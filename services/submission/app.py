"""Submission's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.submission.adapters.claim_status_http import HttpClaimStatus
from services.submission.adapters.clearinghouse_http import HttpClearinghouse
from services.submission.adapters.tables import api_keys, messaging
from services.submission.domain.follow_up import bundled_policy
from services.submission.entrypoints import (
    http,
    http_acknowledgements,
    http_follow_up,
    http_learned_edits,
    http_scrubber,
)
from services.submission.entrypoints.consumers import HANDLERS, TOPICS
from services.submission.entrypoints.dispatcher import run_dispatcher
from services.submission.entrypoints.follow_up_loop import run_follow_up_loop
from services.submission.entrypoints.learned_edit_consumers import LEARNED_EDIT_HANDLERS, LEARNED_EDIT_TOPICS
from services.submission.service_layer.follow_up import note_remittance_posted
from shared.events.claim_events import RemittancePosted
from shared.http.service_app import build_service_app
from shared.messaging.topics import events_topic
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


def _wire(runtime: ServiceRuntime, app: FastAPI) -> None:
    runtime.add_consumer("submission.coded-claims", TOPICS, HANDLERS)
    runtime.add_consumer("submission.learned-edits", LEARNED_EDIT_TOPICS, LEARNED_EDIT_HANDLERS)
    clearinghouse = HttpClearinghouse(runtime.settings.clearinghouse_url)
    app.state.clearinghouse = clearinghouse
    runtime.add_loop("submission-dispatcher", lambda: run_dispatcher(runtime.sessions, clearinghouse))
    _wire_follow_up(runtime, app)


def _wire_follow_up(runtime: ServiceRuntime, app: FastAPI) -> None:
    # An 835 ends follow-up: its own consumer group, so it reads the remittance topic from the start.
    runtime.add_consumer("submission.remittance-follow-up", [events_topic("remittance")],
                         {RemittancePosted.event_type: note_remittance_posted})
    claim_status = HttpClaimStatus(runtime.settings.clearinghouse_url)
    app.state.claim_status = claim_status
    app.state.follow_up_policy = policy = bundled_policy()
    runtime.add_loop("submission-follow-up", lambda: run_follow_up_loop(runtime.sessions, claim_status, policy))


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the submission app."""
    return build_service_app(
        service="submission", title="Claimline submission", settings=settings or ServiceSettings(),
        description="Scrubbing, X12 837P/837I, clearinghouse submission, 999/277CA, follow-up, corrections.",
        tables=messaging, api_keys=api_keys, wire=_wire,
        routers=[http.router, http_scrubber.router, http_acknowledgements.router, http_follow_up.router,
                 http_learned_edits.router])
