"""The coder review queue API: list, take, read the note with its evidence, decide on codes, resolve."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.review_repository import ReviewStore, item_from_row
from services.coding.adapters.tables import audit_log
from services.coding.domain.coder_decisions import CodeDecision
from services.coding.domain.review_queue import (
    EditsStillFire,
    InvalidCodeDecision,
    ReviewClosed,
    ReviewNotAssigned,
    ReviewNotFound,
    UndecidedCodes,
)
from services.coding.entrypoints.review_views import note_view, queue_entry, review_view
from services.coding.service_layer import review_queue as use_cases
from shared.db import transaction_attempts
from shared.http.access import ClaimsReader, CodingReviewer, principal_name
from shared.http.problems import Conflict, InvalidRequest, NotFound, ProblemError
from shared.ids import parse_claim_id
from shared.messaging.outbox import ConcurrencyError
from shared.phi_audit import record_disclosure

router = APIRouter(prefix="/v1/coding", tags=["coder review queue"])
QueueStatus = Literal["active", "open", "assigned", "resolved", "superseded"]
MAX_PAGE = 200
NO_STORE = {"Cache-Control": "no-store"}


class ReviewClosedProblem(Conflict):
    problem_type, title = "review-closed", "Review already closed"


class UnprocessableEdits(ProblemError):
    status, problem_type, title = 422, "coding-edits", "Error edits still fire"


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reassign: bool = Field(default=False, description="take the item from the coder who holds it")


class DecisionRequest(BaseModel):
    """One decision. Diagnoses are named by `code`; procedures by `line_number`. Reasons hold no PHI."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["accept", "override", "remove", "add"]
    kind: Literal["diagnosis", "procedure"]
    code: str | None = Field(default=None, max_length=10, description="diagnosis decided on (accept, override, remove)")
    line_number: int | None = Field(default=None, ge=1, le=50, description="service line decided on (procedures)")
    new_code: str | None = Field(default=None, max_length=10, description="replacement (override) or added code")
    modifiers: list[Annotated[str, Field(max_length=2)]] | None = Field(
        default=None, max_length=4, description="procedure override: the line's modifiers")
    line_numbers: list[Annotated[int, Field(ge=1, le=50)]] = Field(
        default_factory=list, max_length=50, description="diagnosis add: service lines that should point to it")
    reason: str = Field(min_length=3, max_length=500, description="why; plain words, no patient details")


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    acknowledged_edits: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=50, description="error edit ids the coder knowingly bills past")


def review_id_of(review_id: str) -> str:
    """A malformed review id is simply a review that does not exist (404)."""
    try:
        return str(uuid.UUID(review_id))
    except ValueError:
        raise NotFound(f"no review {review_id[:40]} for this tenant") from None


@asynccontextmanager
async def _translated(request: Request) -> AsyncIterator[AsyncSession]:
    """A unit of work whose domain errors leave as problem+json."""
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                yield session
    except ReviewNotFound as missing:
        raise NotFound(str(missing)) from None
    except ReviewClosed as closed:
        raise ReviewClosedProblem(str(closed)) from None
    except (ReviewNotAssigned, UndecidedCodes) as conflict:
        raise Conflict(str(conflict)) from None
    except InvalidCodeDecision as invalid:
        raise InvalidRequest("1 field(s) failed validation",
                             errors=[{"pointer": invalid.pointer, "detail": str(invalid)}]) from None
    except EditsStillFire as edits:
        raise UnprocessableEdits(str(edits), edit_ids=edits.edit_ids) from None
    except ConcurrencyError:
        raise Conflict("the claim changed while this request ran; read it again and retry") from None


@router.get("/reviews", summary="The coder review queue, oldest first, in pages")
async def list_reviews(
    request: Request, caller: ClaimsReader,
    status: Annotated[QueueStatus, Query(description="active = open or assigned")] = "active",
    trigger: Annotated[Literal["coding", "encounter_corrected", "denial"] | None, Query()] = None,
    assigned_to: Annotated[str | None, Query(max_length=128, description="principal id, or 'me'")] = None,
    payer_id: Annotated[str | None, Query(max_length=80)] = None,
    claim_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="next_cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Pass next_cursor back as cursor, with the same filters, for the next page (null on the last)."""
    statuses = ("open", "assigned") if status == "active" else (status,)
    if assigned_to == "me":
        assigned_to = principal_name(caller)
    async with request.app.state.runtime.sessions() as session:
        rows = await ReviewStore(session).page(
            caller.tenant_id, statuses=statuses, trigger=trigger, assigned_to=assigned_to, payer_id=payer_id,
            claim_id=parse_claim_id(claim_id) if claim_id else None,
            after_sequence=int(cursor) if cursor else None, limit=limit + 1)
    page = rows[:limit]
    return {"reviews": [queue_entry(row) for row in page],
            "next_cursor": str(page[-1]["sequence"]) if len(rows) > limit else None}


@router.get("/reviews/{review_id}", summary="A review item: reasons, working codes, decisions so far")
async def get_review(request: Request, review_id: str, caller: ClaimsReader) -> dict[str, Any]:
    """The working codes with their descriptions and evidence: the read is written to the audit log."""
    async with _translated(request) as session:
        row, decisions = await use_cases.review_details(session, caller.tenant_id, review_id_of(review_id))
        await record_disclosure(session, audit_log, request, caller, [row["claim_id"]], row["review_id"])
    return review_view(item_from_row(row), row, decisions)


@router.get("/reviews/{review_id}/note", summary="The clinical note with the evidence for each code highlighted")
async def get_review_note(request: Request, review_id: str, caller: CodingReviewer,
                          response: Response) -> dict[str, Any]:
    """The note text itself (PHI): for the tenant's coders only (coding:review), never cached, never logged,
    and written to the audit log."""
    async with _translated(request) as session:
        row, _ = await use_cases.review_details(session, caller.tenant_id, review_id_of(review_id))
        await record_disclosure(session, audit_log, request, caller, [row["claim_id"]], row["review_id"])
    response.headers.update(NO_STORE)
    return note_view(item_from_row(row))


async def _changed(request: Request, review_id: str, caller: CodingReviewer,
                   change: Callable[[AsyncSession, str], Any]) -> dict[str, Any]:
    async with _translated(request) as session:
        await change(session, principal_name(caller))
        row, decisions = await use_cases.review_details(session, caller.tenant_id, review_id)
    return review_view(item_from_row(row), row, decisions)


@router.post("/reviews/{review_id}/assignment", summary="Take the review item (claim it for the caller)")
async def assign_review(request: Request, review_id: str, caller: CodingReviewer,
                        assignment: Assignment | None = None) -> dict[str, Any]:
    reassign = assignment.reassign if assignment else False
    known = review_id_of(review_id)
    return await _changed(request, known, caller, lambda session, principal: use_cases.claim_review(
        session, caller.tenant_id, known, principal, reassign))


@router.post("/reviews/{review_id}/decisions", summary="Accept, override, remove or add a code, with a reason")
async def post_decision(request: Request, review_id: str, caller: CodingReviewer,
                        body: DecisionRequest) -> dict[str, Any]:
    decision = CodeDecision(action=body.action, kind=body.kind, reason=body.reason.strip(), code=body.code,
                            line_number=body.line_number, new_code=body.new_code,
                            modifiers=tuple(body.modifiers) if body.modifiers is not None else None,
                            line_numbers=tuple(body.line_numbers))
    known = review_id_of(review_id)
    return await _changed(request, known, caller, lambda session, principal: use_cases.decide_on_code(
        session, caller.tenant_id, known, principal, decision))


@router.post("/reviews/{review_id}/resolution", summary="Resolve the item: the coder's codes become claim.coded")
async def resolve_review(request: Request, review_id: str, caller: CodingReviewer,
                         resolution: Resolution | None = None) -> dict[str, Any]:
    acknowledged = resolution.acknowledged_edits if resolution else []
    known = review_id_of(review_id)
    engines = request.app.state.coding_engines
    return await _changed(request, known, caller, lambda session, principal: use_cases.resolve_review(
        session, caller.tenant_id, known, principal, engines, acknowledged))
