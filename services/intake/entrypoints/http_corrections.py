"""Reading and correcting a claim's encounter: GET with its ETag, PUT with If-Match (or expected_version)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.intake.domain.encounter_correction import (
    EncounterIdentityChanged,
    EncounterRevisionMismatch,
    revision_etag,
    revision_from_if_match,
)
from services.intake.entrypoints.authorization import ClaimsReader, EncounterWriter, audit_reads
from services.intake.entrypoints.encounter_validation import check_encounter_rules
from services.intake.service_layer.encounter_corrections import (
    ClaimNotFound,
    apply_encounter_correction,
    stored_encounter,
)
from shared.contracts.encounter import Encounter
from shared.db import transaction_attempts
from shared.http.problems import PROBLEM_RESPONSES, NotFound, ProblemError, Unprocessable
from shared.ids import parse_claim_id

router = APIRouter(prefix="/v1", tags=["claims"])


def _problem(description: str) -> dict[str, Any]:
    """An OpenAPI problem+json response like the shared ones, for the statuses only this route answers."""
    return {**PROBLEM_RESPONSES[409], "description": description}


class PreconditionFailed(ProblemError):
    status, problem_type, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(ProblemError):
    status, problem_type, title = 428, "precondition-required", "Precondition required"


class EncounterCorrection(BaseModel):
    """The corrected encounter, why it was corrected, and the revision it corrects."""

    model_config = ConfigDict(extra="forbid")
    encounter: Encounter = Field(description="the whole corrected encounter (same rules as POST /v1/encounters)")
    reason: str = Field(min_length=3, max_length=500,
                        description="why it was corrected, in plain words and without patient details")
    expected_version: int | None = Field(default=None, ge=1,
                                         description="the revision read (the ETag); or send If-Match instead")


@router.get("/claims/{claim_id}/encounter", summary="The claim's current encounter, with its revision as ETag")
async def get_encounter(request: Request, claim_id: str, caller: ClaimsReader) -> JSONResponse:
    """The encounter as last received or corrected; the read is written to the audit log."""
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            try:
                encounter, revision = await stored_encounter(session, caller.tenant_id, parse_claim_id(claim_id))
            except ClaimNotFound:
                raise NotFound(f"no claim {claim_id} for this tenant") from None
            await audit_reads(session, request, caller, [parse_claim_id(claim_id)])
    return JSONResponse({"claim_id": claim_id, "version": revision, "encounter": encounter.model_dump(mode="json")},
                        headers={"ETag": revision_etag(revision)})


@router.put("/claims/{claim_id}/encounter", summary="Correct the claim's encounter; coding and billing follow",
            responses={412: _problem("If-Match names a revision another correction replaced"),
                       428: _problem("Neither If-Match nor expected_version was sent")})
async def put_encounter(request: Request, claim_id: str, correction: EncounterCorrection, caller: EncounterWriter,
                        if_match: Annotated[str | None, Header(max_length=100)] = None) -> JSONResponse:
    """Needs If-Match (or expected_version) naming the revision read: 428 without, 412 when it moved on."""
    expected = _expected_revision(if_match, correction.expected_version)
    check_encounter_rules(correction.encounter)
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                revision = await apply_encounter_correction(session, caller.tenant_id, parse_claim_id(claim_id),
                                                            correction.encounter, correction.reason, expected)
    except ClaimNotFound:
        raise NotFound(f"no claim {claim_id} for this tenant") from None
    except EncounterRevisionMismatch as moved:
        raise PreconditionFailed(str(moved), current_version=moved.current) from None
    except EncounterIdentityChanged as changed:
        raise Unprocessable(str(changed), errors=[{"pointer": "/encounter/external_id", "detail": str(changed)}]
                            ) from None
    body: dict[str, Any] = {"claim_id": claim_id, "version": revision, "status": "correction_recorded"}
    return JSONResponse(body, headers={"ETag": revision_etag(revision)})


def _expected_revision(if_match: str | None, expected_version: int | None) -> int:
    if if_match is not None:
        revision = revision_from_if_match(if_match)
        if revision is None:
            raise PreconditionFailed("If-Match must be the ETag of GET /v1/claims/{claim_id}/encounter")
        if expected_version is not None and expected_version != revision:
            raise Unprocessable("If-Match and expected_version name different revisions")
        return revision
    if expected_version is None:
        raise PreconditionRequired("send If-Match with the encounter's ETag, or expected_version, to avoid "
                                   "overwriting a correction you have not seen")
    return expected_version
