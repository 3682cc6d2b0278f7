"""Remittance's REST API and the clearinghouse's ERA webhook."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.remittance.adapters.repository import RemittanceStore, cents
from services.remittance.domain.posting_model import PATIENT_KINDS, EntryKind
from services.remittance.service_layer.posting import receive_era_file
from shared.db import unit_of_work
from shared.http.problems import NotFound, Unprocessable
from shared.http.service_app import authenticated_tenant
from shared.http.webhook_receiver import MalformedWebhook, VerifiedWebhook, verified_webhook
from shared.ids import parse_claim_id

router = APIRouter(prefix="/v1", tags=["remittance"])
Tenant = Annotated[str, Depends(authenticated_tenant)]
ZERO = Decimal("0.00")


@router.post("/webhooks/clearinghouse", summary="835 deliveries (Standard Webhooks, signed)")
async def era_webhook(request: Request,
                      webhook: Annotated[VerifiedWebhook, Depends(verified_webhook)]) -> dict[str, str]:
    if webhook.type != "x12.835" or not isinstance(webhook.data.get("x12"), str):
        raise MalformedWebhook("expected type x12.835 with data.x12")
    async with unit_of_work(request.app.state.runtime.sessions) as session:
        outcome, parse_error = await receive_era_file(session, webhook.delivery_id, webhook.data["x12"])
    if parse_error is not None:
        raise Unprocessable(f"835 kept but not posted: {parse_error}", delivery_id=webhook.delivery_id)
    return {"delivery_id": webhook.delivery_id, "outcome": outcome}


@router.get("/claims/{claim_id}/ledger", summary="What was billed, paid, adjusted and is owed, to the cent")
async def claim_ledger(request: Request, claim_id: str, tenant_id: Tenant) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        claim, entries = await RemittanceStore(session).ledger(tenant_id, parse_claim_id(claim_id))
    if claim is None:
        raise NotFound(f"no ledger for claim {claim_id} for this tenant")
    paid = sum((e["amount"] for e in entries if e["kind"] == EntryKind.PAYMENT), ZERO)
    adjustments: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    patient: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        if entry["kind"] == EntryKind.PAYMENT:
            continue
        adjustments[(entry["group_code"] or "", entry["reason_code"] or "")] += entry["amount"]
        if entry["kind"] in PATIENT_KINDS:
            patient[entry["kind"]] += entry["amount"]
    patient_total = sum(patient.values(), ZERO)
    written_off = sum(adjustments.values(), ZERO) - patient_total
    insurance_balance = claim["billed"] - paid - written_off - patient_total
    return {
        "claim_id": claim_id, "status": claim["status"], "payer_id": claim["payer_id"],
        "billed": cents(claim["billed"]), "paid": cents(paid),
        "adjustments": [{"group_code": group, "reason_code": reason, "amount": cents(amount)}
                        for (group, reason), amount in sorted(adjustments.items())],
        "patient_responsibility": {"total": cents(patient_total), **{
            kind.value: cents(patient.get(kind.value, ZERO)) for kind in
            (EntryKind.DEDUCTIBLE, EntryKind.COINSURANCE, EntryKind.COPAY, EntryKind.OTHER_PATIENT_RESPONSIBILITY)}},
        "insurance_balance": cents(insurance_balance), "patient_balance": cents(patient_total),
        "balance": cents(insurance_balance + patient_total),
        "entries": [{"era_id": e["era_id"], "line_control_number": e["line_control_number"], "kind": e["kind"],
                     "group_code": e["group_code"], "reason_code": e["reason_code"], "amount": cents(e["amount"]),
                     "posted_at": e["posted_at"].isoformat()} for e in entries],
    }


@router.get("/eras", summary="Received ERAs with their trace number, total and matched/unmatched claims")
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
        "status": r["status"], "hold_reason": r["hold_reason"], "received_at": r["received_at"].isoformat(),
        "matched_claims": [c["claim_id"] for c in by_era[r["era_id"]] if c["posted"]],
        "unmatched_claims": [c["patient_control_number"] for c in by_era[r["era_id"]] if not c["posted"]],
    } for r in rows]}
