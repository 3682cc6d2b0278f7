"""Coding's REST API for a claim's coding and the edits the service can fire."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from services.coding.adapters.repository import CodingStore
from services.coding.adapters.review_repository import ReviewStore
from services.coding.adapters.tables import audit_log
from shared.db import transaction_attempts
from shared.http.access import ClaimsReader
from shared.http.problems import NotFound
from shared.ids import parse_claim_id
from shared.phi_audit import record_disclosure

router = APIRouter(prefix="/v1", tags=["coding"])


@router.get("/claims/{claim_id}/coding", summary="The claim's final codes, their sources and the edits that fired")
async def get_coding(request: Request, claim_id: str, caller: ClaimsReader) -> dict[str, Any]:
    """Diagnoses and procedures with source (pms, suggested, coder), evidence offsets into the note and the
    edits naming them; `suggestions` are codes the note suggested that are not billed; `review` is the
    claim's latest coder review item, if any. The read is written to the audit log."""
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
