"""Coding's REST API for a claim's coding and the edits the service can fire."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.coding.adapters.policy_repository import TenantPolicyStore
from services.coding.adapters.repository import CodingStore
from services.coding.adapters.review_repository import ReviewStore
from services.coding.adapters.tables import audit_log
from shared.db import transaction_attempts
from shared.events.tenant_events import WhenNoReleaseCovers
from shared.http.access import ClaimsReader
from shared.http.problems import NotFound
from shared.ids import parse_claim_id
from shared.phi_audit import record_disclosure

router = APIRouter(prefix="/v1", tags=["coding"])


@router.get("/claims/{claim_id}/coding", summary="The claim's final codes, their sources and the edits that fired")
async def get_coding(request: Request, claim_id: str, caller: ClaimsReader) -> dict[str, Any]:
    """Diagnoses and procedures with source (pms, suggested, coder), evidence offsets into the note and the
    edits naming them; `suggestions` are codes the note suggested that are not billed; `review` is the
    claim's latest coder review item, if any; `code_sets` names the ICD-10-CM release the diagnoses were
    checked against and whether it was assumed (no release covers the date of service). The read is written
    to the audit log."""
    canonical = parse_claim_id(claim_id)
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            coded = await CodingStore(session).get(caller.tenant_id, canonical)
            review = await ReviewStore(session).latest_for_claim(caller.tenant_id, canonical)
            if coded is None:
                raise NotFound(f"no coding for claim {claim_id} for this tenant")
            await record_disclosure(session, audit_log, request, caller, [canonical])
    return {"claim_id": canonical, "status": coded["status"], "coding_round": coded["coding_round"],
            "note_status": coded["note_status"], "diagnoses": coded["diagnoses"], "procedures": coded["procedures"],
            "suggestions": coded["suggestions"], "edits": coded["findings"], "reasons": coded["reasons"],
            "code_sets": coded["code_sets"],
            "review": None if review is None else {
                "review_id": review["review_id"], "status": review["status"], "trigger": review["trigger"],
                "reasons": review["reasons"], "assigned_to": review["assigned_to"],
                "closed_by": review["closed_by"]}}


@router.get("/coding/edits", summary="Every edit and coding rule this service can fire")
async def list_edits(request: Request, _caller: ClaimsReader) -> dict[str, Any]:
    """Each with its id, severity (error sends the claim to a coder), plain-language message and source."""
    definitions = await asyncio.to_thread(request.app.state.coding_engines.edit_definitions)  # waits for the load
    return {"edits": [{"edit_id": d.edit_id, "severity": d.severity, "message": d.message, "source": d.source}
                      for d in definitions]}


class CodingPolicyView(BaseModel):
    tenant_id: str
    hold_undercoding: bool = Field(description="a claim billed below the E/M level its note supports waits for a "
                                               "coder (else it goes on with a COD-EM-UNDERCODED warning)")
    when_no_release_covers: WhenNoReleaseCovers = Field(
        description="no ICD-10-CM release covers the date of service: hold_unknown_codes holds only claims with a "
                    "code the nearest release lacks, hold_all holds every such claim")


@router.get("/coding/policy", summary="The coding policy coding applies to this tenant's claims")
async def get_coding_policy(request: Request, caller: ClaimsReader) -> CodingPolicyView:
    """What holds a claim for a coder beyond the error edits, as coding last read it from intake (set by the
    administrator: PUT /v1/admin/tenants/{tenant_id}/coding-policy on intake); the defaults when never set."""
    tenant_id = caller.tenant_id
    async with request.app.state.runtime.sessions() as session:
        policy = await TenantPolicyStore(session).policy_for(tenant_id)
    return CodingPolicyView(tenant_id=tenant_id, hold_undercoding=policy.hold_undercoding,
                            when_no_release_covers=policy.when_no_release_covers)
