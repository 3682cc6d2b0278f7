"""Remittance's REST API and the clearinghouse's ERA webhook."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Security
from pydantic import BaseModel, Field

from services.remittance.adapters.repository import RemittanceStore, cents
from services.remittance.service_layer.posting import read_era_file, receive_era_file
from services.remittance.service_layer.unmatched import (
    ClaimPaymentNotWaiting,
    MatchRefused,
    match_claim_payment,
    unmatched_queue,
)
from shared.db import transaction_attempts
from shared.http.access import CLEARINGHOUSE_SIGNATURE, PaymentsWriter, ReadingTenant
from shared.http.problems import NotFound, Unprocessable
from shared.http.webhook_receiver import MalformedWebhook, VerifiedWebhook, verified_webhook
from shared.ids import parse_claim_id

router = APIRouter(prefix="/v1", tags=["remittance"])
Tenant = ReadingTenant


@router.post("/webhooks/clearinghouse", summary="835 deliveries (Standard Webhooks, signed)",
             dependencies=[Security(CLEARINGHOUSE_SIGNATURE)])
async def era_webhook(request: Request,
                      webhook: Annotated[VerifiedWebhook, Depends(verified_webhook)]) -> dict[str, str]:
    if webhook.type != "x12.835" or not isinstance(webhook.data.get("x12"), str):
        raise MalformedWebhook("expected type x12.835 with data.x12")
    reading = await read_era_file(webhook.data["x12"])  # off the event loop, before a connection is taken
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            outcome, parse_error = await receive_era_file(session, webhook.delivery_id, webhook.data["x12"], reading)
    if parse_error is not None:
        raise Unprocessable(f"835 kept but not posted: {parse_error}", delivery_id=webhook.delivery_id)
    return {"delivery_id": webhook.delivery_id, "outcome": outcome}


@router.get("/eras", summary="The tenant's ERAs (routed to it by their payee, whether or not a claim matched) "
            "with their trace number, total and matched/unmatched claims")
async def list_eras(request: Request, tenant_id: Tenant,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        store = RemittanceStore(session)
        rows = await store.list_eras(tenant_id, limit)
        claims = await store.claims_of_eras([r["era_id"] for r in rows])
    by_era: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        by_era[claim["era_id"]].append(claim)
    return {"eras": [{
        "era_id": r["era_id"], "trace_number": r["trace_number"], "payer_identifier": r["payer_identifier"],
        "payer_name": r["payer_name"], "total_paid": cents(r["total_paid"]) if r["total_paid"] is not None else None,
        "payment_method": r["payment_method"],
        "payment_date": r["payment_date"].isoformat() if r["payment_date"] else None,
        "status": r["status"], "hold_reason": r["hold_reason"], "warnings": r["warnings"],
        "payee": {"name": r["payee_name"], "npi": r["payee_npi"], "tin": r["payee_tin"]},
        "received_at": r["received_at"].isoformat(),
        "matched_claims": [c["claim_id"] for c in by_era[r["era_id"]] if c["posted"]],
        "unmatched_claims": [c["patient_control_number"] for c in by_era[r["era_id"]] if not c["posted"]],
        "held_claims": [{"patient_control_number": c["patient_control_number"], "claim_id": c["claim_id"],
                         "reason": c["hold_reason"]} for c in by_era[r["era_id"]] if c["hold_reason"]],
        "forwarded_claims": [c["claim_id"] for c in by_era[r["era_id"]] if c["forwarded"]],
    } for r in rows]}


class ClaimChoice(BaseModel):
    claim_id: str = Field(description="the tenant's claim this claim payment belongs to")


@router.get("/eras/unmatched", summary="Claim payments that posted nothing yet, with the claims they may belong to")
async def unmatched_eras(request: Request, tenant_id: Tenant,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        return {"unmatched": await unmatched_queue(session, tenant_id, limit)}


@router.post("/eras/{era_id}/claims/{claim_index}/match", summary="Post a waiting claim payment to a chosen claim")
async def match_unmatched(request: Request, era_id: str, claim_index: int, body: ClaimChoice,
                          caller: PaymentsWriter) -> dict[str, Any]:
    era_uuid, claim_uuid = parse_claim_id(era_id), parse_claim_id(body.claim_id)
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                await match_claim_payment(session, caller.tenant_id, era_uuid, claim_index, claim_uuid)
    except ClaimPaymentNotWaiting as error:
        raise NotFound(str(error)) from None
    except MatchRefused as error:
        raise Unprocessable(str(error)) from None
    return {"era_id": era_id, "claim_index": claim_index, "claim_id": body.claim_id, "posted": True}
