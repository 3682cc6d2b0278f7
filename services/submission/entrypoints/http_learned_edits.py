"""The tenant's learned edits (accepted in denials from recurring preventable denials, until retired there)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from services.submission.adapters.learned_edits_store import LearnedEditStore
from shared.http.access import ClaimsReader

router = APIRouter(prefix="/v1", tags=["scrubber"])


@router.get("/scrubber/learned-edits", summary="Edits this tenant accepted from denial patterns, applied to new claims")
async def list_learned_edits(
    request: Request, caller: ClaimsReader,
    status: Annotated[Literal["active", "retired", "all"], Query(description="active: the edits in force")] = "active",
) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        rows = await LearnedEditStore(session).with_retirements(caller.tenant_id)
    if status != "all":
        rows = [r for r in rows if (r["retired_at"] is None) == (status == "active")]
    return {"edits": [{"edit_id": r["edit_id"], "proposal_id": r["proposal_id"], "reason_code": r["reason_code"],
                       "message": r["message"], "fix_hint": r["fix_hint"], "condition": r["condition"],
                       "accepted_at": r["accepted_at"].isoformat(),
                       "status": "active" if r["retired_at"] is None else "retired",
                       "retired_at": r["retired_at"].isoformat() if r["retired_at"] else None,
                       "retirement_reason": r["retirement_reason"]} for r in rows]}
