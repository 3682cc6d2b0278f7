"""A user's corrections (replacement, void) and the CMS-1500 paper claim of a claim version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.submission.adapters.claim_versions import ClaimVersionStore
from services.submission.adapters.cms1500_pdf import render_cms1500
from services.submission.adapters.repository import SubmissionStore
from services.submission.adapters.tables import audit_log
from services.submission.domain.claim_correction import CorrectionNotAllowed, CorrectionTrigger
from services.submission.domain.cms1500_form import ClaimOnPaper, cms1500_pages
from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.secondary_claim import adjudication_from_json
from services.submission.service_layer.corrections import ClaimNotBilled, QueuedVersion, request_correction
from shared.contracts.encounter import Encounter
from shared.db import transaction_attempts
from shared.http.access import ClaimsReader, ClaimsWriter
from shared.http.problems import Conflict, NotFound, Unprocessable
from shared.ids import parse_claim_id
from shared.phi_audit import record_disclosure

router = APIRouter(prefix="/v1", tags=["corrections"])


@router.post("/claims/{claim_id}/replacement", status_code=202,
             summary="Re-bill the latest coded claim as a replacement (frequency 7) of the version the payer holds")
async def replace_claim(request: Request, claim_id: str, caller: ClaimsWriter) -> dict[str, Any]:
    """409 when the payer never accepted the claim, it was voided, or a version awaits its acknowledgement."""
    return await _correct(request, caller.tenant_id, claim_id, CorrectionTrigger.USER_REPLACEMENT)


@router.post("/claims/{claim_id}/void", status_code=202,
             summary="Void (frequency 8) the claim the payer accepted, naming its payer claim control number")
async def void_claim(request: Request, claim_id: str, caller: ClaimsWriter) -> dict[str, Any]:
    """409 when there is nothing at the payer to void (never accepted, already voided, version in flight)."""
    return await _correct(request, caller.tenant_id, claim_id, CorrectionTrigger.USER_VOID)


async def _correct(request: Request, tenant_id: str, claim_id: str, trigger: CorrectionTrigger) -> dict[str, Any]:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                queued = await request_correction(session, tenant_id, parse_claim_id(claim_id), trigger)
    except ClaimNotBilled:
        raise NotFound(f"no billed claim {claim_id} for this tenant") from None
    except CorrectionNotAllowed as refused:
        raise Conflict(str(refused), reason=refused.reason) from None
    return _queued_view(queued)


def _queued_view(queued: QueuedVersion) -> dict[str, Any]:
    return {"claim_id": queued.claim_id, "claim_version": queued.claim_version,
            "frequency_code": queued.frequency_code, "submission_id": queued.submission_id,
            "payer_claim_control_number": queued.corrects_payer_claim_control_number,
            "status": "queued" if queued.submission_id else "needs_correction",
            "scrub_edits": [edit.model_dump() for edit in queued.scrub_edits]}


@router.get("/claims/{claim_id}/cms1500.pdf", summary="The claim version on a CMS-1500 (02/12) paper form",
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def cms1500_pdf(request: Request, claim_id: str, caller: ClaimsReader,
                      claim_version: Annotated[int | None, Query(ge=1, description="default: the latest")] = None,
                      ) -> Response:
    """A professional claim's paper form, from the encounter the chosen version billed (audited)."""
    canonical = parse_claim_id(claim_id)
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            claim = await ClaimVersionStore(session).lock_billing_claim(canonical, caller.tenant_id, lock=False)
            rows = await SubmissionStore(session).submissions_of(caller.tenant_id, canonical)
            if claim is None:
                raise NotFound(f"no billed claim {claim_id} for this tenant")
            chosen = [r for r in rows if claim_version is None or r["claim_version"] == claim_version]
            if claim_version is not None and not chosen:
                raise NotFound(f"claim {claim_id} has no version {claim_version}")
            await record_disclosure(session, audit_log, request, caller, [canonical])
    row = chosen[-1] if chosen else None
    paper = ClaimOnPaper(
        encounter=Encounter.model_validate((row or {}).get("encounter") or claim["encounter"]),
        patient_account_number=claim["patient_control_number"],
        frequency_code=row["frequency_code"] if row else "1",
        payer_claim_control_number=row.get("corrects_payer_claim_control_number") if row else None,
        prior_payer_adjudication=adjudication_from_json(row["prior_payer"]) if row and row.get("prior_payer") else None,
        signed_on=row["created_at"].date() if row else None)
    try:
        pdf = render_cms1500(cms1500_pages(paper))
    except InvalidBillableClaim as error:
        raise Unprocessable(str(error)) from None
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="cms1500-{claim_id}.pdf"'})
