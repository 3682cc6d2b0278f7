"""Submission's REST API and the clearinghouse's acknowledgement webhook."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Security

from services.submission.adapters.acknowledgement_store import AcknowledgementStore
from services.submission.adapters.repository import SubmissionStore
from services.submission.adapters.tables import audit_log
from services.submission.service_layer.acknowledgements import read_acknowledgement, receive_acknowledgement
from shared.db import transaction_attempts
from shared.http.access import CLEARINGHOUSE_SIGNATURE, ClaimsReader
from shared.http.problems import NotFound, Unprocessable
from shared.http.webhook_receiver import MalformedWebhook, VerifiedWebhook, verified_webhook
from shared.ids import parse_claim_id
from shared.phi_audit import record_disclosure

router = APIRouter(prefix="/v1", tags=["submission"])
ACK_TYPES = {"x12.999", "x12.277ca"}


@router.get("/claims/{claim_id}/submissions", summary="Every submitted version of a claim with its 837 and acks")
async def list_submissions(request: Request, claim_id: str, caller: ClaimsReader) -> dict[str, Any]:
    """Each version with its 837 text (PHI): the read is written to the audit log."""
    canonical = parse_claim_id(claim_id)
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            rows = await SubmissionStore(session).submissions_of(caller.tenant_id, canonical)
            results = await AcknowledgementStore(session).results_of_claim(caller.tenant_id, canonical)
            if not rows:
                raise NotFound(f"no submissions for claim {claim_id} for this tenant")
            await record_disclosure(session, audit_log, request, caller, [canonical])
    return {"claim_id": claim_id, "submissions": [{
        "submission_id": r["submission_id"], "claim_version": r["claim_version"],
        "frequency_code": r["frequency_code"], "payer_id": r["payer_id"], "status": r["status"],
        "interchange_control_number": str(r["interchange_control_number"]).zfill(9),
        "ack_999": r["ack_999"], "ack_277ca": r["ack_277ca"],
        "payer_claim_control_number": r["payer_claim_control_number"], "send_attempts": r["send_attempts"],
        "last_error": r["last_error"], "created_at": r["created_at"].isoformat(),
        "sent_at": r["sent_at"].isoformat() if r["sent_at"] else None, "x12": r["x12"],
        # why the version was sent, whom it billed, and the payer claim control number it corrects (REF*F8)
        "trigger": r["trigger"], "payer_responsibility": r["payer_responsibility"],
        "corrects_payer_claim_control_number": r["corrects_payer_claim_control_number"],
        "prior_payer": r["prior_payer"], "adjudication": r["adjudication"],
        "acknowledgements": [{"delivery_id": a["delivery_id"], "kind": a["kind"], "status": a["status"],
                              "accepted": a["accepted"], "applied": a["applied"], "reasons": a["reasons"]}
                             for a in results if a["submission_id"] == r["submission_id"]]} for r in rows]}


@router.post("/webhooks/clearinghouse", summary="999 and 277CA deliveries (Standard Webhooks, signed)",
             dependencies=[Security(CLEARINGHOUSE_SIGNATURE)])
async def clearinghouse_webhook(request: Request,
                                webhook: Annotated[VerifiedWebhook, Depends(verified_webhook)]) -> dict[str, str]:
    if webhook.type not in ACK_TYPES or not isinstance(webhook.data.get("x12"), str):
        raise MalformedWebhook(f"expected one of {sorted(ACK_TYPES)} with data.x12")
    reading = await read_acknowledgement(webhook.type, webhook.data["x12"])  # off the loop, before a connection
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            outcome, parse_error = await receive_acknowledgement(session, webhook.delivery_id, webhook.type,
                                                                 webhook.data["x12"], reading)
    if parse_error is not None:
        raise Unprocessable(f"acknowledgement kept but not applied: {parse_error}", delivery_id=webhook.delivery_id)
    return {"delivery_id": webhook.delivery_id, "outcome": outcome}
