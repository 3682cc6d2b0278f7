"""Coding's REST API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from services.coding.adapters.repository import CodingStore
from shared.http.problems import NotFound
from shared.http.service_app import authenticated_tenant
from shared.ids import parse_claim_id

router = APIRouter(prefix="/v1", tags=["coding"])
Tenant = Annotated[str, Depends(authenticated_tenant)]


@router.get("/claims/{claim_id}/coding", summary="The claim's final codes, their sources and the edits that fired")
async def get_coding(request: Request, claim_id: str, tenant_id: Tenant) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        coded = await CodingStore(session).get(tenant_id, parse_claim_id(claim_id))
    if coded is None:
        raise NotFound(f"no coding for claim {claim_id} for this tenant")
    return {"claim_id": claim_id, "status": coded["status"], "diagnoses": coded["diagnoses"],
            "procedures": coded["procedures"], "edits": coded["findings"]}
