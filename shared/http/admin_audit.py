"""GET /v1/admin/audit on every service: who read which claim's PHI there, when and from where."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from shared.http.access import administrator
from shared.phi_audit import search_audit_log

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(administrator)])


def _stamp(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("/audit", summary="Who read which claim's PHI in this service, when and from where (oldest first)")
async def audit(request: Request, tenant_id: str | None = None, claim_id: str | None = None,
                since: dt.datetime | None = None, after_id: Annotated[int | None, Query(ge=0)] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)  # a time without an offset is read as UTC
    async with request.app.state.runtime.sessions() as session:
        entries = await search_audit_log(session, request.app.state.audit_log, tenant_id=tenant_id,
                                         claim_id=claim_id, since=since, after_id=after_id, limit=limit)
    return {"entries": [{**e, "occurred_at": _stamp(e["occurred_at"])} for e in entries],
            "next_after_id": entries[-1]["audit_id"] if len(entries) == limit else None}
