"""Claims as ops see them, across tenants, behind ADMIN_TOKEN: the longest-stuck per status and one
claim's event history with its trace ids. Ids, statuses and times only: no PHI leaves here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.intake.adapters.repository import ClaimStore
from services.intake.entrypoints.http_admin import administrator
from shared.db import transaction_attempts
from shared.http.problems import NotFound
from shared.ids import parse_claim_id

# Statuses a claim should leave on its own; a claim waiting long in one is worth an ops look.
IN_FLIGHT = ("received", "coded", "submitted", "resubmitted", "accepted", "coding_review", "needs_correction")

router = APIRouter(prefix="/v1/admin/claims", tags=["admin"], dependencies=[Depends(administrator)])


@router.get("/stuck", summary="The claims waiting longest in each in-flight status, across tenants")
async def stuck_claims(request: Request, per_status: Annotated[int, Query(ge=1, le=100)] = 5) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            rows = await ClaimStore(session).oldest_in_status(IN_FLIGHT, per_status)
    stuck: dict[str, list[dict[str, Any]]] = {status: [] for status in IN_FLIGHT}
    for row in rows:
        stuck[row["status"]].append({"claim_id": row["claim_id"], "tenant_id": row["tenant_id"],
                                     "payer_id": row["payer_id"], "since": row["status_at"].isoformat()})
    return {"stuck": stuck}


@router.get("/{claim_id}/events", summary="One claim's event history with trace ids, whatever its tenant")
async def claim_events(request: Request, claim_id: str) -> dict[str, Any]:
    claim_id = parse_claim_id(claim_id)
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            store = ClaimStore(session)
            tenant_id = await store.tenant_of(claim_id)
            if tenant_id is None:
                raise NotFound(f"no claim {claim_id}")
            claim = await store.get(tenant_id, claim_id)
            events = await store.timeline(tenant_id, claim_id)
    return {"claim_id": claim_id, "tenant_id": tenant_id, "status": claim["status"] if claim else None,
            "payer_id": claim["payer_id"] if claim else None, "events": [
                {"event_id": e["event_id"], "type": e["event_type"], "source": e["source"],
                 "time": e["occurred_at"].isoformat(), "trace_id": e["trace_id"], "status": e["status"]}
                for e in events]}
