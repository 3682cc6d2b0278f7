"""Denials' REST API for recovery: appeals with letters, write-offs with approval, scrubber proposals.

A write-off's requester and approver are the authenticated credentials that called (`api_key:<id>` or
`oauth_client:<id>`), never names from the request body: two-person approval needs two credentials.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from services.denials.adapters.coding_client import fetch_coding
from services.denials.adapters.repository import DenialStore
from services.denials.adapters.tables import audit_log
from services.denials.domain.write_offs import REASON_CODES
from services.denials.entrypoints.http_common import Body, Tenant, appeal_view, path_id, write_off_view
from services.denials.service_layer import recovery
from services.denials.service_layer.feedback import decide_proposal, proposal_view, retire_edit
from shared.db import transaction_attempts
from shared.http.access import ClaimsReader, ClaimsWriter, PaymentsWriter, ScrubberManager, principal_name
from shared.http.problems import NotFound
from shared.phi_audit import record_disclosure

router = APIRouter(prefix="/v1", tags=["recovery"])
User = Annotated[str, Field(min_length=1, max_length=120, description="who acts, as the practice names its users")]
Money = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]


class AppealRequest(Body):
    level: Literal["first", "second", "external"] = "first"
    created_by: User


class SendAppeal(Body):
    sent_by: User
    override_reason: str | None = Field(default=None, min_length=1, max_length=500,
                                        description="required once the deadline has passed; recorded with the appeal")


class AppealDecision(Body):
    outcome: Literal["won", "partially_won", "lost"]
    overturned_amount: Money | None = None


class WriteOffRequest(Body):
    """The requester is the calling credential (recorded as requested_by)."""

    reason_code: Literal[tuple(REASON_CODES)]  # type: ignore[valid-type]
    amount: Money | None = Field(default=None, description="defaults to the denial's open balance")
    note: str | None = Field(default=None, max_length=1000)


class WriteOffDecision(Body):
    """The approver is the calling credential (recorded as decided_by); it must not be the requester's."""

    note: str | None = Field(default=None, max_length=1000)


class ProposalDecision(Body):
    decided_by: User


ProposalStatus = Literal["proposed", "accepted", "rejected", "retired"]


class EditRetirement(Body):
    retired_by: User
    reason: str = Field(min_length=3, max_length=500, description="why the edit stops; plain words, no patient details")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@router.post("/denials/{denial_id}/appeals", status_code=201,
             summary="Draft an appeal: level, the payer's deadline from the denial date, and a PDF letter")
async def create_appeal(request: Request, caller: ClaimsWriter, denial_id: str,
                        body: AppealRequest) -> dict[str, Any]:
    tenant_id = caller.tenant_id
    denial_id = path_id(denial_id)
    runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        denial = await DenialStore(session).get(tenant_id, denial_id)
    if denial is None:
        raise NotFound(f"no denial {denial_id}")
    # Outside the transaction: a slow or absent coding service only weakens the letter's evidence.
    coding = await fetch_coding(request.app.state.policy.coding_url, denial["claim_id"],
                                request.headers.get("authorization"))
    async for attempt in transaction_attempts(runtime.sessions):
        async with attempt as session:
            appeal = await recovery.draft_appeal(DenialStore(session), tenant_id, denial_id, body.level,
                                                 body.created_by, coding, _today(), request.app.state.policy)
    return appeal_view(appeal)


@router.get("/appeals", summary="Appeals, oldest first")
async def list_appeals(request: Request, tenant_id: Tenant, status: str | None = None,
                       claim_id: str | None = None) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        rows = await DenialStore(session).appeals_of(tenant_id, claim_id=claim_id, status=status)
    return {"appeals": [appeal_view(a) for a in rows]}


@router.get("/appeals/{appeal_id}", summary="One appeal")
async def get_appeal(request: Request, tenant_id: Tenant, appeal_id: str) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        appeal = await DenialStore(session).appeal(tenant_id, path_id(appeal_id))
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    return appeal_view(appeal)


@router.get("/appeals/{appeal_id}/letter.pdf", summary="The appeal letter as PDF",
            responses={200: {"content": {"application/pdf": {}}}})
async def appeal_letter(request: Request, caller: ClaimsReader, appeal_id: str) -> Response:
    """The letter names the patient and the services (PHI): the read is written to the audit log."""
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            appeal = await DenialStore(session).appeal(caller.tenant_id, path_id(appeal_id))
            if appeal is None:
                raise NotFound(f"no appeal {appeal_id}")
            await record_disclosure(session, audit_log, request, caller, [str(appeal["claim_id"])],
                                    str(appeal["appeal_id"]))
    return Response(appeal["letter_pdf"], media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="appeal-{appeal_id}.pdf"'})


@router.post("/appeals/{appeal_id}/send", summary="Mark the appeal sent; past the deadline only with override_reason")
async def send_appeal(request: Request, caller: ClaimsWriter, appeal_id: str, body: SendAppeal) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            appeal = await recovery.send_appeal(DenialStore(session), caller.tenant_id, path_id(appeal_id),
                                                body.sent_by, body.override_reason, _today())
    return appeal_view(appeal)


@router.post("/appeals/{appeal_id}/decision", summary="Record a payer decision that came by letter (e.g. lost)")
async def decide_appeal(request: Request, caller: ClaimsWriter, appeal_id: str,
                        body: AppealDecision) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            appeal = await recovery.record_appeal_decision(DenialStore(session), caller.tenant_id, path_id(appeal_id),
                                                           body.outcome, body.overturned_amount or Decimal("0"))
    return appeal_view(appeal)


@router.post("/denials/{denial_id}/write-offs", status_code=201,
             summary="Write off the balance; above the approval limit it waits for another person's approval")
async def request_write_off(request: Request, caller: PaymentsWriter, denial_id: str,
                            body: WriteOffRequest) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            write_off = await recovery.request_write_off(DenialStore(session), caller.tenant_id, path_id(denial_id),
                                                         body.amount, body.reason_code, body.note,
                                                         principal_name(caller), request.app.state.policy)
    return write_off_view(write_off)


@router.get("/write-offs", summary="Write-offs, e.g. status=pending_approval")
async def list_write_offs(request: Request, tenant_id: Tenant, status: str | None = None) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        rows = await DenialStore(session).write_offs_of(tenant_id, status=status)
    return {"write_offs": [write_off_view(w) for w in rows]}


@router.post("/write-offs/{write_off_id}/approve", summary="Approve a pending write-off (not its requester)")
async def approve_write_off(request: Request, caller: PaymentsWriter, write_off_id: str,
                            body: WriteOffDecision | None = None) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            row = await recovery.decide_write_off(DenialStore(session), caller.tenant_id, path_id(write_off_id),
                                                  True, principal_name(caller), body.note if body else None)
    return write_off_view(row)


@router.post("/write-offs/{write_off_id}/reject", summary="Reject a pending write-off (not its requester)")
async def reject_write_off(request: Request, caller: PaymentsWriter, write_off_id: str,
                           body: WriteOffDecision | None = None) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            row = await recovery.decide_write_off(DenialStore(session), caller.tenant_id, path_id(write_off_id),
                                                  False, principal_name(caller), body.note if body else None)
    return write_off_view(row)


@router.get("/scrubber-proposals", summary="Pre-submission edits proposed from recurring preventable denials")
async def list_proposals(request: Request, tenant_id: Tenant,
                         status: Annotated[ProposalStatus | None, Query()] = None) -> dict[str, Any]:
    async with request.app.state.runtime.sessions() as session:
        rows = await DenialStore(session).proposals(tenant_id, status)
    return {"proposals": [proposal_view(r) for r in rows]}


@router.post("/scrubber-proposals/{proposal_id}/accept",
             summary="Accept: submission's scrubber applies the edit to the tenant's new claims")
async def accept_proposal(request: Request, caller: ScrubberManager, proposal_id: str,
                          body: ProposalDecision) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            return await decide_proposal(DenialStore(session), caller.tenant_id, path_id(proposal_id), True,
                                         body.decided_by)


@router.post("/scrubber-proposals/{proposal_id}/reject", summary="Reject a proposed edit")
async def reject_proposal(request: Request, caller: ScrubberManager, proposal_id: str,
                          body: ProposalDecision) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            return await decide_proposal(DenialStore(session), caller.tenant_id, path_id(proposal_id), False,
                                         body.decided_by)


@router.post("/scrubber-proposals/{proposal_id}/retire",
             summary="Retire an accepted edit: submission's scrubber stops applying it to new claims")
async def retire_proposal(request: Request, caller: ScrubberManager, proposal_id: str,
                          body: EditRetirement) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            return await retire_edit(DenialStore(session), caller.tenant_id, path_id(proposal_id), body.retired_by,
                                     body.reason.strip())
