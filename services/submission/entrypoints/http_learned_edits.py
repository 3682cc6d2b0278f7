"""The tenant's learned edits (accepted in denials from recurring preventable denials)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from services.submission.adapters.learned_edits_store import LearnedEditStore
from shared.http.service_app import authenticated_tenant

router = APIRouter(prefix="/v1", tags=["scrubber"])


@router.get("/scrubber/learned-edits", summary="Edits this tenant accepted from denial patterns, applied to new claims")
async def list_learned_edits(request: Request, tenant_id: Annotated[str, Depends(authenticated_tenant)]
                             ) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        rows = await LearnedEditStore(session).of_tenant(tenant_id)
    return {"edits": [{"edit_id": r["edit_id"], "proposal_id": r["proposal_id"], "reason_code": r["reason_code"],
                       "message": r["message"], "fix_hint": r["fix_hint"], "condition": r["condition"],
                       "accepted_at": r["accepted_at"].isoformat()} for r in rows]}
