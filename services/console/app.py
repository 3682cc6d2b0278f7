"""The ops console's composition root: server-rendered pages and the dead-letter API, no database of its own.

It reads the services over HTTP (readiness, metrics, intake's admin claim views) and the
dead-letter topics from Kafka; its only write is a replay, which goes through Kafka.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.console.adapters.pipeline_client import PipelineClient
from services.console.domain.sessions import LoginThrottle, SessionBook
from services.console.entrypoints import api, pages
from services.console.settings import ConsoleSettings
from shared.http.health import healthz
from shared.http.problems import PROBLEM_RESPONSES, install_problem_handlers
from shared.http.request_body import KIB, BodyRules
from shared.http.service_app import install_body_guard
from shared.messaging.dead_letters import DeadLetterTopics
from shared.structured_logging import configure_logging
from shared.telemetry import configure_tracing

# The sign-in form holds one token; every other body (a replay's positions) has the default 1 MiB.
BODY_RULES = {"/login": BodyRules(max_bytes=4 * KIB)}


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    configure_logging("console", settings.log_level)
    configure_tracing("console")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.sessions = SessionBook(settings.console_session_seconds, settings.console_idle_seconds)
        app.state.login_throttle = LoginThrottle(settings.console_login_attempts,
                                                 settings.console_login_window_seconds,
                                                 settings.console_login_lockout_seconds)
        app.state.pipeline = PipelineClient(settings.service_urls(), settings.admin_token)
        app.state.dead_letters = DeadLetterTopics(settings.kafka_bootstrap, settings.kafka_namespace)
        try:
            yield
        finally:
            await app.state.pipeline.close()

    app = FastAPI(title="Claimline ops console", version="1.0.0", lifespan=lifespan,
                  description="Pipeline health, stuck claims, dead letters with replay, one claim's trace.")
    install_problem_handlers(app)
    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    app.include_router(api.router, responses=PROBLEM_RESPONSES)
    app.include_router(pages.router)
    install_body_guard(app, BODY_RULES)
    return app
