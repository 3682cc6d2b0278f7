"""Liveness and readiness routes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])
OPEN = {"security": []}  # probes need no credential (shared/http/access.py: every operation declares its way in)


@router.get("/healthz", openapi_extra=OPEN)
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", openapi_extra=OPEN)
async def readyz(request: Request) -> JSONResponse:
    """The database answers and the background loops run."""
    checks = await request.app.state.runtime.readiness()
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)
