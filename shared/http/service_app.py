"""The FastAPI app every service builds: problems, health, tracing, and the runtime in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from sqlalchemy import Table

from shared.access_tokens import CLAIMS_READ
from shared.http.health import router as health_router
from shared.http.problems import PROBLEM_RESPONSES, install_problem_handlers
from shared.http.request_body import BodyRules, RequestBodyGuard
from shared.messaging.tables import MessagingTables
from shared.metrics import configure_metrics
from shared.metrics import router as metrics_router
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.structured_logging import configure_logging
from shared.telemetry import configure_tracing


def build_service_app(*, service: str, title: str, description: str, settings: ServiceSettings,
                      tables: MessagingTables, api_keys: Table, routers: Sequence[APIRouter],
                      wire: Callable[[ServiceRuntime, FastAPI], None],
                      body_rules: Mapping[str, BodyRules] | None = None) -> FastAPI:
    """Compose a service: `wire` adds its consumers and puts its adapters on app.state.

    Every request body is bounded (1 MiB unless `body_rules` names the route's own limit) and JSON
    bodies nesting too deep are refused, before any route or dependency reads them.
    """
    configure_logging(service, settings.log_level)
    provider = configure_tracing(service)
    configure_metrics(service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = ServiceRuntime(service, settings, tables, api_keys)
        runtime.add_tenant_key_projection()
        wire(runtime, app)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, version="1.0.0", description=description, lifespan=lifespan)
    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(metrics_router)
    for router in routers:
        app.include_router(router, responses=PROBLEM_RESPONSES)
    install_body_guard(app, body_rules)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, exclude_spans=["receive", "send"])
    return app


def install_body_guard(app: FastAPI, body_rules: Mapping[str, BodyRules] | None = None) -> None:
    """The request body guard, outermost of the app's own middleware (inside tracing, so refusals are traced)."""
    app.add_middleware(RequestBodyGuard, routes=body_rules)


async def authenticated_tenant(request: Request) -> str:
    """FastAPI dependency: the tenant of the request's Bearer API key or access token.

    Reads (GET, HEAD) need the claims:read scope; an API key carries every scope.
    """
    tenant_id: str = await request.app.state.runtime.authenticate(request)
    if request.method in {"GET", "HEAD"}:
        request.state.principal.require(CLAIMS_READ)
    return tenant_id


def serve(create_app: Callable[[ServiceSettings], FastAPI]) -> None:
    """Run a service under uvicorn with settings from the environment."""
    import uvicorn

    settings = ServiceSettings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None,
                access_log=False)
