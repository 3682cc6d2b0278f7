"""Acknowledgements: the unmatched queue (the operator's) and one ack's status and results (its tenant's).

Never the X12 itself: an ack about no known claim belongs to no tenant we can check, and its text may
hold patient data. So the unmatched queue needs ADMIN_TOKEN, and a tenant sees only acks with results
about its own claims. Parse errors name segment positions and codes only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.submission.adapters.acknowledgement_store import AcknowledgementStore
from shared.http.access import ClaimsReader, administrator
from shared.http.problems import NotFound

router = APIRouter(prefix="/v1", tags=["acknowledgements"])


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@router.get("/acknowledgements/unmatched", summary="999/277CA deliveries naming claims or submissions we do not know "
            "(the operator's queue: ADMIN_TOKEN)", dependencies=[Depends(administrator)])
async def unmatched_acknowledgements(request: Request,
                                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        rows = await AcknowledgementStore(session).unmatched(limit)
    return {"acknowledgements": [{
        "delivery_id": r["delivery_id"], "kind": r["kind"], "outcome": r["outcome"],
        "received_at": _iso(r["received_at"]), "unmatched_references": r["unmatched_references"] or []}
        for r in rows]}


@router.get("/acknowledgements/{delivery_id}", summary="One delivered 999/277CA: outcome, parse error, results")
async def acknowledgement(request: Request, delivery_id: str, caller: ClaimsReader) -> dict[str, Any]:
    """Only an ack with results about the caller's claims: an unmatched or unreadable one is the operator's."""
    async with request.app.state.runtime.sessions() as session:
        store = AcknowledgementStore(session)
        row = await store.visible(delivery_id, caller.tenant_id)
        results = await store.results(delivery_id, caller.tenant_id) if row else []
    if row is None:
        raise NotFound("no such acknowledgement for this tenant")
    return _view(row, results)


@router.get("/admin/acknowledgements/{delivery_id}", dependencies=[Depends(administrator)],
            summary="Any delivered 999/277CA with every tenant's results (the operator's view: ADMIN_TOKEN)")
async def any_acknowledgement(request: Request, delivery_id: str) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        store = AcknowledgementStore(session)
        row = await store.any(delivery_id)
        results = await store.results(delivery_id, None) if row else []
    if row is None:
        raise NotFound("no such acknowledgement")
    return _view(row, results)


def _view(row: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"delivery_id": row["delivery_id"], "kind": row["kind"], "outcome": row["outcome"],
            "parse_error": row["parse_error"], "received_at": _iso(row["received_at"]),
            "unmatched_references": row["unmatched_references"] or [],
            "results": [{"claim_id": r["claim_id"], "submission_id": r["submission_id"], "status": r["status"],
                         "accepted": r["accepted"], "applied": r["applied"], "reasons": r["reasons"]}
                        for r in results]}
