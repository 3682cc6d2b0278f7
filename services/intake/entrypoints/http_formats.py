"""Two more ways in for practice-management systems: a FHIR R4 Claim, and an X12 837P batch file.

Both become the same `Encounter` the JSON API takes, pass the same contract, code-set and calendar
rules, and are accepted by the same use case (`accept_encounter`) with the same Idempotency-Key
semantics. Errors name where in the caller's own document (FHIR path, segment position), never values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from opentelemetry import trace

from services.intake.adapters.encounter_draft import EncounterMappingFailed
from services.intake.adapters.fhir import claim_to_encounter
from services.intake.adapters.x12_837 import ClaimReading, X12DocumentUnreadable, read_837p
from services.intake.domain.claim import DuplicateEncounter, EncounterTooLarge, IdempotencyKeyReused
from services.intake.domain.validation import Violation, encounter_violations, latest_date_on_earth
from services.intake.entrypoints.authorization import EncounterWriter
from services.intake.service_layer.handlers import accept_encounter
from shared.contracts.encounter import Encounter
from shared.http.json_body import load_json
from shared.http.problems import (
    Conflict,
    InvalidRequest,
    MalformedBody,
    PayloadTooLarge,
    ProblemError,
    Unprocessable,
    UnsupportedMediaType,
)
from shared.telemetry import claim_span_attributes
from shared.x12.reader_threads import read_off_the_loop
from shared.x12.tokenizer import X12Limits, X12TooLarge

router = APIRouter(prefix="/v1", tags=["claims"])

FHIR_MEDIA_TYPES = frozenset({"application/fhir+json", "application/json"})
X12_MEDIA_TYPES = frozenset({"application/edi-x12", "text/plain"})
MAX_FHIR_CLAIM_BYTES = 2 * 1024 * 1024  # a 100,000-character note plus the claim, with room to spare
MAX_837_BYTES = 8 * 1024 * 1024  # well past what X12_837_LIMITS let through: 3,000 claims of ~30 segments
# Each claim of the file is accepted in its own transaction while the caller waits: a few thousand
# claims is already a long request, so larger batches should be split (the 413 says so).
X12_837_LIMITS = X12Limits(max_segments=100_000, max_elements=700_000)
IdempotencyKey = Annotated[str | None, Header(max_length=255)]


class X12Unreadable(ProblemError):
    status, problem_type, title = 422, "x12-unreadable", "Not a readable 837P interchange"


class X12TooLargeProblem(PayloadTooLarge):
    problem_type, title = "x12-too-large", "Too many segments or elements in one file"




def intake_rules(encounter: Encounter) -> Sequence[Violation]:
    """The code-set and calendar rules POST /v1/encounters applies, for every other way in."""
    return encounter_violations(encounter, today=latest_date_on_earth(dt.datetime.now(dt.UTC)))


@router.post("/fhir/Claim", status_code=202, summary="Submit a FHIR R4 Claim; it becomes a claim",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/fhir+json": {"schema": {"type": "object", "description": "a FHIR R4 Claim with its "
                                                      "Patient, Coverage, payer, providers contained"}}}}})
async def post_fhir_claim(request: Request, caller: EncounterWriter,
                          idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Map the Claim onto an encounter and accept it exactly as POST /v1/encounters does."""
    _require_media_type(request, FHIR_MEDIA_TYPES, "send the Claim as application/fhir+json")
    # the body guard bounded it (MAX_FHIR_CLAIM_BYTES) and checked its depth before we got here
    document = load_json(await request.body(), reject_repeated_keys=True)
    try:
        encounter = claim_to_encounter(document, intake_rules)
    except EncounterMappingFailed as failed:
        raise InvalidRequest(f"{len(failed.errors)} element(s) failed validation", errors=failed.errors) from None
    try:
        status_code, body = await accept_encounter(request.app.state.runtime.engine, caller.tenant_id, encounter,
                                                   idempotency_key)
    except DuplicateEncounter as duplicate:
        raise Conflict(str(duplicate), claim_id=duplicate.existing_claim_id) from None
    except IdempotencyKeyReused as reused:
        raise Unprocessable(str(reused)) from None
    except EncounterTooLarge as too_large:
        raise PayloadTooLarge(str(too_large)) from None
    trace.get_current_span().set_attributes(claim_span_attributes(body["claim_id"], caller.tenant_id))
    return JSONResponse(body, status_code=status_code, headers={"Location": f"/v1/claims/{body['claim_id']}"})


@router.post("/x12/837", status_code=200, summary="Submit an X12 837P file; each claim (CLM) is accepted alone",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/edi-x12": {"schema": {"type": "string", "description": "an 837P 005010X222A1 "
                                                    "interchange, any delimiters its ISA declares"}}}}})
async def post_837p(request: Request, caller: EncounterWriter,
                    idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """One result per CLM (accepted, rejected or duplicate); one bad claim does not block the others."""
    _require_media_type(request, X12_MEDIA_TYPES, "send the 837P as application/edi-x12")
    try:
        text = (await request.body()).decode("utf-8")  # bounded by the body guard (MAX_837_BYTES)
    except UnicodeDecodeError as error:
        raise MalformedBody(f"the file is not ASCII or UTF-8 text (byte {error.start})") from None
    try:
        readings = await read_off_the_loop(read_837p, text, intake_rules, X12_837_LIMITS)
    except X12TooLarge as too_large:
        raise X12TooLargeProblem(str(too_large), unit=too_large.unit, limit=too_large.limit) from None
    except X12DocumentUnreadable as unreadable:
        raise X12Unreadable(str(unreadable), segment=unreadable.segment, segment_id=unreadable.segment_id) from None
    results: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for reading in readings:
        first = seen.get(reading.external_id)
        if first is not None:
            result = {"external_id": reading.external_id, "segment": reading.segment, "status": "duplicate",
                      "errors": [{"segment": reading.segment, "segment_id": "CLM",
                                  "detail": f"repeats the CLM01 of the claim at segment {first['segment']}"}]}
            if "claim_id" in first:
                result["claim_id"] = first["claim_id"]
        else:
            result = await _claim_result(request, caller.tenant_id, reading, idempotency_key)
            seen[reading.external_id] = result
        results.append(result)
    counts = {status: sum(r["status"] == status for r in results) for status in ("accepted", "rejected", "duplicate")}
    trace.get_current_span().set_attributes({f"claimline.x12.claims_{k}": v for k, v in counts.items()})
    return {"claims": results, **counts}


async def _claim_result(request: Request, tenant_id: str, reading: ClaimReading,
                        idempotency_key: str | None) -> dict[str, Any]:
    """Accept one claim of the file on its own (its own statement) and say what became of it."""
    result: dict[str, Any] = {"external_id": reading.external_id, "segment": reading.segment}
    if reading.warnings:
        result["warnings"] = list(reading.warnings)
    if reading.encounter is None:
        return {**result, "status": "rejected", "errors": list(reading.errors)}
    try:
        _, body = await accept_encounter(request.app.state.runtime.engine, tenant_id, reading.encounter,
                                         _claim_key(idempotency_key, reading.external_id))
    except DuplicateEncounter as duplicate:
        return {**result, "status": "duplicate", "claim_id": duplicate.existing_claim_id}
    except EncounterTooLarge as too_large:
        return {**result, "status": "rejected", "errors": [{"segment": reading.segment, "segment_id": "CLM",
                                                            "detail": str(too_large)}]}
    except IdempotencyKeyReused:
        return {**result, "status": "rejected", "errors": [{
            "segment": reading.segment, "segment_id": "CLM",
            "detail": "this Idempotency-Key was sent before with a different claim under this CLM01"}]}
    return {**result, "status": "accepted", "claim_id": body["claim_id"]}


def _claim_key(idempotency_key: str | None, external_id: str) -> str | None:
    """Each claim of a file gets its own key, so a retried file replays every claim's first answer."""
    if idempotency_key is None:
        return None
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"x12-837:{digest}:{external_id}"


def _require_media_type(request: Request, accepted: frozenset[str], hint: str) -> None:
    media_type, *parameters = [part.strip().lower() for part in request.headers.get("content-type", "").split(";")]
    if media_type not in accepted:
        raise UnsupportedMediaType(hint)
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8", "us-ascii", "ascii"):
            raise UnsupportedMediaType("the body must be UTF-8 (or ASCII)")
