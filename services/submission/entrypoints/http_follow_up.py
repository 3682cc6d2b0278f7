"""Claim follow-up: the overdue queue, a sweep on demand (with an as-of time), each claim's inquiries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from services.submission.adapters.follow_up_store import FollowUpStore
from services.submission.adapters.tables import audit_log
from services.submission.service_layer.follow_up import follow_up_queue, run_follow_up
from shared.db import transaction_attempts
from shared.http.access import ClaimsReader, ClaimsWriter
from shared.ids import parse_claim_id
from shared.phi_audit import record_disclosure

router = APIRouter(prefix="/v1", tags=["follow-up"])
AS_OF = "the clock to judge by (ISO 8601, default now): ops and tests look ahead with it"


class FollowUpRun(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: dt.datetime | None = None
    limit: int = 100


def _as_of(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.now(dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@router.get("/follow-up", summary="The tenant's claims overdue for a 277CA or an 835")
async def follow_up(request: Request, caller: ClaimsReader,
                    as_of: Annotated[dt.datetime | None, Query(description=AS_OF)] = None) -> dict[str, Any]:
    now = _as_of(as_of)
    async with request.app.state.runtime.sessions() as session:
        claims = await follow_up_queue(session, caller.tenant_id, now, request.app.state.follow_up_policy)
    return {"as_of": now.isoformat(), "claims": claims}


@router.post("/follow-up/run", summary="Sweep the tenant's overdue claims now and send their 276 inquiries")
async def run(request: Request, caller: ClaimsWriter, body: FollowUpRun | None = None) -> dict[str, Any]:
    options = body or FollowUpRun()
    result = await run_follow_up(request.app.state.runtime.sessions, request.app.state.claim_status,
                                 request.app.state.follow_up_policy, _as_of(options.as_of), caller.tenant_id,
                                 max(1, min(options.limit, 500)))
    return result.as_json()


@router.get("/claims/{claim_id}/status-inquiries", summary="Every 276 sent about a claim, with its 277 answer")
async def status_inquiries(request: Request, claim_id: str, caller: ClaimsReader) -> dict[str, Any]:
    """Each inquiry with its 276 and 277 text (PHI): the read is written to the audit log."""
    canonical = parse_claim_id(claim_id)
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            rows = await FollowUpStore(session).inquiries_of(caller.tenant_id, canonical)
            if rows:
                await record_disclosure(session, audit_log, request, caller, [canonical])
    return {"claim_id": claim_id, "inquiries": [{
        "inquiry_id": r["inquiry_id"], "submission_id": r["submission_id"], "payer_id": r["payer_id"],
        "reason": r["reason"], "trace_number": r["trace_number"], "outcome": r["outcome"], "error": r["error"],
        "status_category": r["status_category"], "status_code": r["status_code"], "entity_code": r["entity_code"],
        "status_text": r["status_text"], "statuses": r["statuses"] or [],
        "payer_claim_control_number": r["payer_claim_control_number"], "as_of": r["as_of"].isoformat(),
        "sent_at": r["sent_at"].isoformat(), "x12_276": r["x12_276"], "x12_277": r["x12_277"]} for r in rows]}
