"""The FastAPI app every service builds: problems, health, tracing, and the runtime in its lifespan."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import get_args

from fastapi import APIRouter, FastAPI, Request
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from sqlalchemy import Table

from shared.access_tokens import CLAIMS_READ
from shared.http.admin_audit import router as admin_audit_router
from shared.http.admission import AdmissionLimit
from shared.http.health import router as health_router
from shared.http.problems import PROBLEM_RESPONSES, install_problem_handlers
from shared.http.rate_limit import TenantRateLimiter, install_rate_limit_problems
from shared.http.request_body import BodyRules, RequestBodyGuard
from shared.messaging.tables import MessagingTables
from shared.metrics import configure_metrics
from shared.metrics import router as metrics_router
from shared.runtime import ServiceRuntime
from shared.settings import ProcessRole, ServiceSettings
from shared.structured_logging import configure_logging
from shared.telemetry import configure_tracing
from shared.tenancy import InsufficientScope
from shared.tenant_directory import TenantLimits

ROLES = get_args(ProcessRole)


def build_service_app(*, service: str, title: str, description: str, settings: ServiceSettings,
                      tables: MessagingTables, api_keys: Table, audit_log: Table, routers: Sequence[APIRouter],
                      wire: Callable[[ServiceRuntime, FastAPI], None],
                      body_rules: Mapping[str, BodyRules] | None = None) -> FastAPI:
    """Compose a service: `wire` adds its consumers and puts its adapters on app.state; audit_log is the
    service's PHI audit table (shared/phi_audit.py), searchable by the operator at /v1/admin/audit.

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
        app.state.rate_limiter = _rate_limiter(runtime)
        wire(runtime, app)  # may put a limiter of its own in place (intake reads budgets from its tables)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, version="1.0.0", description=description, lifespan=lifespan)
    install_problem_handlers(app)
    install_rate_limit_problems(app)
    app.state.audit_log = audit_log
    app.include_router(health_router)
    app.include_router(metrics_router)
    if settings.process_role != "worker":  # a worker answers health checks and metrics only
        for router in (*routers, admin_audit_router):
            app.include_router(router, responses=PROBLEM_RESPONSES)
    install_body_guard(app, body_rules)
    app.add_middleware(AdmissionLimit, max_in_flight=settings.max_in_flight_requests)  # outermost: sheds first
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, exclude_spans=["receive", "send"])
    return app


def install_body_guard(app: FastAPI, body_rules: Mapping[str, BodyRules] | None = None) -> None:
    """The request body guard, outermost of the app's own middleware (inside tracing, so refusals are traced)."""
    app.add_middleware(RequestBodyGuard, routes=body_rules)


def _rate_limiter(runtime: ServiceRuntime) -> TenantRateLimiter:
    """Budgets from the tenants topic, held in memory, so they are read on every request."""
    default = TenantLimits(runtime.settings.rate_limit_per_second, runtime.settings.rate_limit_burst)

    async def limits_of(tenant_id: str) -> TenantLimits | None:
        return runtime.tenant_directory.tenant_limits(tenant_id)

    return TenantRateLimiter(default, limits_of, refresh_seconds=0.0)


async def authenticated_tenant(request: Request) -> str:
    """Deprecated for new routes: take the caller as `caller: ClaimsReader` (shared/http/access.py) instead,
    which declares the scope in the OpenAPI document and applies the tenant's rate limit.

    Kept safe for a route that still uses it: a read needs claims:read, and anything else is refused
    (403) because the route never said which scope may change things through it.
    """
    tenant_id: str = await request.app.state.runtime.authenticate(request)
    if request.method not in {"GET", "HEAD"}:
        raise InsufficientScope("this operation declares no scope, so no credential may call it")
    request.state.principal.require(CLAIMS_READ)
    return tenant_id


def serve(create_app: Callable[[ServiceSettings], FastAPI], argv: Sequence[str] | None = None) -> None:
    """Run a service under uvicorn: `python -m services.<name> [api|worker|all]` (default: PROCESS_ROLE, else all).

    uvloop and httptools: the event loop and HTTP parser in C, a large share of a small request's cost."""
    import uvicorn

    arguments = list(sys.argv[1:] if argv is None else argv)
    overrides = {"process_role": arguments[0]} if arguments else {}
    if arguments and arguments[0] not in ROLES:
        raise SystemExit(f"usage: python -m services.<name> [{'|'.join(ROLES)}]")
    settings = ServiceSettings(**overrides)  # type: ignore[arg-type]
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None,
                access_log=False, loop="uvloop", http="httptools")
