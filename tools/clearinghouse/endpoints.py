"""HTTP edge of the simulator: raw X12 in, JSON or RFC 9457 problem+json out.

POST /v1/interchanges  body: raw 837 text; header Idempotency-Key required, traceparent optional.
    202 {"interchange_control_number", "claims"}; 400 problem+json (invalid-interchange with an
    "errors" list, or missing-idempotency-key); 422 problem+json when a key comes back with another
    body. A repeated key gets the first response again, with header Idempotent-Replayed: true.
POST /v1/eras          body: raw 835 text, delivered as-is by the ERA webhook; 202 {"webhook_id"}.
GET  /v1/interchanges  what was received, per claim its version, status and payer claim number.
GET  /v1/deliveries    every webhook with its delivery status and attempts.
GET  /healthz          {"status": "ok", "pending_jobs": n}.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from tools.clearinghouse.ledger import IdempotencyKeyReused, Ledger, StoredResponse, request_digest
from tools.clearinghouse.problems import InterchangeRejected
from tools.clearinghouse.simulator import ClearinghouseSimulator, EraRejected
from tools.clearinghouse.webhook_delivery import trace_headers

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "urn:claimline:clearinghouse:"
router = APIRouter()


class BodyNotText(ValueError):
    """The request body is not UTF-8 text."""


def problem(status: int, kind: str, title: str, detail: str, **extensions: Any) -> dict[str, Any]:
    """An RFC 9457 problem document."""
    return {"type": PROBLEM_TYPE + kind, "title": title, "status": status, "detail": detail, **extensions}


def _respond(stored: StoredResponse, replayed: bool = False) -> Response:
    headers = {"idempotent-replayed": "true"} if replayed else None
    return JSONResponse(stored.body, stored.status_code, headers=headers, media_type=stored.media_type)


def _problem_response(body: dict[str, Any]) -> Response:
    return JSONResponse(body, body["status"], media_type=PROBLEM_JSON)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyNotText("the body must be UTF-8 (X12 basic or extended character set) text") from error


def _replay(ledger: Ledger, scope: str, key: str, digest: str) -> Response | None:
    """The stored first response for a repeated key, a 422 for a reused one, None for a new one."""
    try:
        stored = ledger.stored_response(scope, key, digest)
    except IdempotencyKeyReused as error:
        return _problem_response(problem(422, "idempotency-key-reused", "Idempotency-Key reused", str(error)))
    return _respond(stored, replayed=True) if stored is not None else None


def _rejection_problem(rejection: InterchangeRejected) -> dict[str, Any]:
    first = rejection.problems[0].detail
    count = len(rejection.problems)
    return problem(
        400,
        "invalid-interchange",
        "Interchange cannot be read",
        first if count == 1 else f"{count} problems, the first: {first}",
        interchange_control_number=rejection.header.control_number if rejection.header else None,
        errors=[p.as_json() for p in rejection.problems],
    )


@router.post("/v1/interchanges", status_code=202)
async def post_interchange(request: Request) -> Response:
    """Accept an 837 interchange (raw X12 body); its 999, 277CA and 835s follow by webhook."""
    body = await request.body()
    key = request.headers.get("idempotency-key", "").strip()
    if not key:
        detail = "send an Idempotency-Key header; a retry with the same key gets the first response"
        return _problem_response(problem(400, "missing-idempotency-key", "Idempotency-Key required", detail))
    ledger: Ledger = request.app.state.ledger
    simulator: ClearinghouseSimulator = request.app.state.simulator
    digest = request_digest(body)
    if (replay := _replay(ledger, "interchange", key, digest)) is not None:
        return replay
    # from here to store_response nothing awaits, so a concurrent retry cannot slip in between
    try:
        interchange = simulator.receive_interchange(_text(body), key, trace_headers(request.headers))
    except BodyNotText as error:
        invalid = problem(400, "invalid-interchange", "Interchange cannot be read", str(error), errors=[])
        stored = StoredResponse(400, invalid, PROBLEM_JSON, digest)
    except InterchangeRejected as rejection:
        stored = StoredResponse(400, _rejection_problem(rejection), PROBLEM_JSON, digest)
    else:
        accepted = {
            "interchange_control_number": interchange.header.control_number,
            "claims": len(interchange.claims),
        }
        stored = StoredResponse(202, accepted, "application/json", digest)
    ledger.store_response("interchange", key, stored)
    return _respond(stored)


@router.post("/v1/eras", status_code=202)
async def post_era(request: Request) -> Response:
    """Deliver an operator's raw 835 as-is through the signed ERA webhook; Idempotency-Key optional."""
    body = await request.body()
    key = request.headers.get("idempotency-key", "").strip() or None
    ledger: Ledger = request.app.state.ledger
    simulator: ClearinghouseSimulator = request.app.state.simulator
    digest = request_digest(body)
    if key is not None and (replay := _replay(ledger, "era", key, digest)) is not None:
        return replay
    try:
        webhook_id = simulator.inject_era(_text(body), key, trace_headers(request.headers))
    except (BodyNotText, EraRejected) as error:
        invalid = problem(400, "invalid-era", "ERA cannot be read", str(error))
        stored = StoredResponse(400, invalid, PROBLEM_JSON, digest)
    else:
        stored = StoredResponse(202, {"webhook_id": webhook_id}, "application/json", digest)
    if key is not None:
        ledger.store_response("era", key, stored)
    return _respond(stored)


@router.get("/v1/interchanges")
async def list_interchanges(request: Request) -> dict[str, Any]:
    """Every interchange received, with its claims and their statuses, oldest first."""
    ledger: Ledger = request.app.state.ledger
    return {"interchanges": [record.as_json() for record in ledger.interchanges]}


@router.get("/v1/deliveries")
async def list_deliveries(request: Request) -> dict[str, Any]:
    """Every webhook sent or being sent, with its delivery status."""
    deliveries = request.app.state.simulator.sender.deliveries
    return {"deliveries": [record.as_json() for record in deliveries.values()]}


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    """Liveness, and how many background jobs are still running."""
    return {"status": "ok", "pending_jobs": request.app.state.jobs.pending}
