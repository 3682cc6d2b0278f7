"""Intake's request gate: who calls (API key or access token), within its scope and rate, and the audit trail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.audit import AuditLog
from services.intake.domain.access import AuditEntry
from shared.access_tokens import CLAIMS_READ, ENCOUNTERS_WRITE
from shared.telemetry import current_trace_id
from shared.tenancy import Principal


def scoped(scope: str) -> Callable[[Request], Awaitable[Principal]]:
    """Dependency: the authenticated caller, rate-limited per tenant, holding scope (else 401/429/403)."""

    async def caller(request: Request) -> Principal:
        await request.app.state.runtime.authenticate(request)
        principal: Principal = request.state.principal
        await request.app.state.rate_limiter.admit(principal.tenant_id)
        principal.require(scope)
        return principal

    return caller


ClaimsReader = Annotated[Principal, Depends(scoped(CLAIMS_READ))]
EncounterWriter = Annotated[Principal, Depends(scoped(ENCOUNTERS_WRITE))]


def read_entries(request: Request, caller: Principal, claim_ids: Sequence[str]) -> list[AuditEntry]:
    """One audit entry per claim whose PHI-bearing data this request discloses."""
    route = request.scope.get("route")
    endpoint = getattr(route, "path", request.url.path)
    client_ip = request.client.host if request.client else None
    user_agent = request.headers.get("user-agent", "")[:500] or None
    return [AuditEntry(tenant_id=caller.tenant_id, principal_kind=caller.kind, principal_id=caller.credential_id,
                       method=request.method, endpoint=endpoint, claim_id=claim_id, client_ip=client_ip,
                       user_agent=user_agent, trace_id=current_trace_id()) for claim_id in claim_ids]


async def audit_reads(session: AsyncSession, request: Request, caller: Principal, claim_ids: Sequence[str]) -> None:
    """Record the disclosure in the reading transaction: no audit row, no data."""
    await AuditLog(session).append(read_entries(request, caller, claim_ids))
