"""Denials' REST API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.denials.adapters.repository import DenialStore
from shared.http.service_app import authenticated_tenant

router = APIRouter(prefix="/v1", tags=["denials"])
Tenant = Annotated[str, Depends(authenticated_tenant)]


@router.get("/denials", summary="Denial records, newest first")
async def list_denials(request: Request, tenant_id: Tenant, status: str | None = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        rows = await DenialStore(session).list(tenant_id, status, limit)
    return {"denials": [{
        "denial_id": r["denial_id"], "claim_id": r["claim_id"], "era_id": r["era_id"], "payer_id": r["payer_id"],
        "category": r["category"], "root_cause": r["root_cause"], "preventable": r["preventable"],
        "recommended_action": r["recommended_action"], "reason_codes": r["reason_codes"],
        "remark_codes": r["remark_codes"], "denied_amount": f"{r['denied_amount']:.2f}", "status": r["status"],
        "created_at": r["created_at"].isoformat()} for r in rows]}
