"""Intake's REST API for practice-management systems."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from opentelemetry import trace
from pydantic import ValidationError

from services.intake.adapters.claim_listing import ClaimListing
from services.intake.adapters.repository import ClaimStore
from services.intake.domain.claim import DuplicateEncounter, EncounterTooLarge, IdempotencyKeyReused
from services.intake.entrypoints.authorization import ClaimsReader, EncounterWriter, audit_reads
from services.intake.entrypoints.encounter_validation import check_encounter_rules
from services.intake.entrypoints.http_claims_query import claim_view
from services.intake.service_layer.handlers import accept_encounter
from shared.contracts.encounter import Encounter
from shared.db import transaction_attempts
from shared.http.problems import (
    Conflict,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    validation_errors,
)
from shared.http.request_body import PARSED_BODY
from shared.http.service_app import authenticated_tenant
from shared.ids import parse_claim_id
from shared.telemetry import claim_span_attributes

router = APIRouter(prefix="/v1", tags=["claims"])


Tenant = Annotated[str, Depends(authenticated_tenant)]


# The body is read, checked and parsed once by the body guard (strict JSON) and validated once here, so the
# route declares its schema for the OpenAPI document instead of having FastAPI parse it a second time.
ENCOUNTER_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Encounter"}}}}}


def validated_encounter(request: Request) -> Encounter:
    """The encounter in the body the guard parsed; every field error at once as a 422 problem."""
    try:
        return Encounter.model_validate(getattr(request.state, PARSED_BODY))
    except ValidationError as invalid:
        errors = validation_errors(list(invalid.errors()))
        raise InvalidRequest(f"{len(errors)} field(s) failed validation", errors=errors) from None


@router.post("/encounters", status_code=202, summary="Submit an encounter; it becomes a claim",
             openapi_extra=ENCOUNTER_BODY)
async def post_encounter(
    request: Request, caller: EncounterWriter,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    """Validate the encounter and create its claim; replays the first answer for a repeated Idempotency-Key."""
    tenant_id = caller.tenant_id
    encounter = validated_encounter(request)
    check_encounter_rules(encounter)  # code sets and dates, before anything is stored
    try:
        status_code, body = await accept_encounter(request.app.state.runtime.engine, tenant_id, encounter,
                                                   idempotency_key)
    except DuplicateEncounter as duplicate:
        raise Conflict(str(duplicate), claim_id=duplicate.existing_claim_id) from None
    except IdempotencyKeyReused as reused:
        raise Unprocessable(str(reused)) from None
    except EncounterTooLarge as too_large:
        raise PayloadTooLarge(str(too_large)) from None
    trace.get_current_span().set_attributes(claim_span_attributes(
        body["claim_id"], tenant_id, encounter.primary_coverage.payer.payer_id, stage="intake"))
    return JSONResponse(body, status_code=status_code, headers={"Location": f"/v1/claims/{body['claim_id']}"})


@router.get("/claims/{claim_id}", summary="A claim's status, summary and balances")
async def get_claim(request: Request, claim_id: str, caller: ClaimsReader) -> dict[str, Any]:
    """The claim as intake knows it; the read is written to the audit log."""
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            claim = await ClaimListing(session).one(caller.tenant_id, parse_claim_id(claim_id))
            if claim is None:
                raise NotFound(f"no claim {claim_id} for this tenant")
            await audit_reads(session, request, caller, [claim["claim_id"]])
    return claim_view(claim)


@router.get("/claims/{claim_id}/events", summary="A claim's whole event history, in order")
async def get_claim_events(request: Request, claim_id: str, caller: ClaimsReader) -> dict[str, Any]:
    """Every event of the claim with its trace id; the read is written to the audit log."""
    tenant_id = caller.tenant_id
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            store = ClaimStore(session)
            if await store.get(tenant_id, parse_claim_id(claim_id)) is None:
                raise NotFound(f"no claim {claim_id} for this tenant")
            events = await store.timeline(tenant_id, parse_claim_id(claim_id))
            await audit_reads(session, request, caller, [parse_claim_id(claim_id)])
    return {"claim_id": claim_id, "events": [
        {"event_id": e["event_id"], "type": e["event_type"], "source": e["source"],
         "time": e["occurred_at"].isoformat(), "trace_id": e["trace_id"], "status": e["status"],
         "summary": e["summary"]} for e in events]}

