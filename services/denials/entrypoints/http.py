"""Denials' REST API: denial records, the work queue and analytics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from services.denials.adapters.repository import DenialStore
from services.denials.domain.analytics import DIMENSIONS, denial_rates, recovery_summary
from services.denials.domain.appeals import days_to
from services.denials.domain.work_queue import priority, sla_state
from services.denials.entrypoints.http_common import (
    Body,
    Tenant,
    appeal_view,
    iso,
    money,
    path_id,
    write_off_view,
)
from services.denials.service_layer import recovery
from shared.db import transaction_attempts
from shared.http.access import ClaimsWriter
from shared.http.problems import NotFound
from shared.http.spreadsheet_csv import csv_response

router = APIRouter(prefix="/v1", tags=["denials"])


class CorrectionRequest(Body):
    route: Literal["intake", "coding"] = Field(description="intake: demographics or coverage; coding: codes, modifiers")
    reason: str = Field(min_length=1, max_length=500, description="plain language, no patient data")


class Assignment(Body):
    assignee: str | None = Field(default=None, max_length=120)


class Snooze(Body):
    until: dt.datetime | None = Field(default=None, description="hidden from the work queue until then; null wakes it")


class Comment(Body):
    author: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=4000)


def denial_view(r: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """A denial as every endpoint shows it."""
    today = today or dt.datetime.now(dt.UTC).date()
    deadline = r["appeal_deadline"]
    return {
        "denial_id": r["denial_id"], "claim_id": r["claim_id"], "era_id": r["era_id"], "source": r["source"],
        "payer_id": r["payer_id"], "category": r["category"], "root_cause": r["root_cause"],
        "preventable": r["preventable"], "recommended_action": r["recommended_action"],
        "reason_codes": r["reason_codes"], "remark_codes": r["remark_codes"], "lines": r["lines"],
        "liability": r["liability"], "review_required": r["review_required"], "unknown_codes": r["unknown_codes"],
        "denied_amount": money(r["denied_amount"]), "recovered_amount": money(r["recovered_amount"]),
        "status": r["status"], "resolution": r["resolution"], "assigned_to": r["assigned_to"],
        "snoozed_until": iso(r["snoozed_until"]),
        "appeal_deadline": deadline.isoformat() if deadline else None,
        "days_to_deadline": days_to(deadline, today) if deadline else None,
        "sla_due_at": iso(r["sla_due_at"]),
        "created_at": r["created_at"].isoformat(),
        "resolved_at": iso(r["resolved_at"]),
    }


@router.get("/denials", summary="Denial records, newest first")
async def list_denials(request: Request, tenant_id: Tenant, status: str | None = None, claim_id: str | None = None,
                       review_required: bool | None = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """review_required=true lists the denials with a code our tables do not know, kept raw for a person."""
    async with request.app.state.runtime.sessions() as session:
        rows = await DenialStore(session).list(tenant_id, status, limit, claim_id, review_required)
    return {"denials": [denial_view(r) for r in rows]}


MONEY_COLUMNS = frozenset({"denied_amount"})  # dollars as text in JSON; numbers in a spreadsheet


def _csv(rows: list[dict[str, Any]]) -> Response:
    """One line per key; amounts as numbers, keys (payer ids, codes: caller input) neutralised for spreadsheets."""
    header = list(rows[0]) if rows else []
    return csv_response(header, ([Decimal(row[name]) if name in MONEY_COLUMNS and row[name] is not None
                                  else row[name] for name in header] for row in rows))


@router.get("/denials/analytics",
            summary="Denial rate by a dimension, overturn rate, dollars recovered, days to resolve")
async def analytics(request: Request, tenant_id: Tenant,
                    by: Annotated[Literal["payer", "category", "carc", "provider", "procedure"], Query()] = "payer",
                    since: dt.datetime | None = None, payer_id: str | None = None,
                    format: Literal["json", "csv"] = "json") -> Any:  # noqa: A002 - the query parameter's name
    async with request.app.state.runtime.sessions() as session:
        store = DenialStore(session)
        denials = await store.all_denials(tenant_id, since, payer_id)
        claims = await store.all_facts(tenant_id, since, payer_id)
        appeals = await store.appeals_of(tenant_id)
    assert by in DIMENSIONS
    rows = denial_rates(by, denials, claims)
    if format == "csv":
        return _csv(rows)
    return {"by": by, "rows": rows, "summary": recovery_summary(denials, appeals)}


@router.get("/work-queue",
            summary="Open denials and drafted appeals, highest expected recovery and nearest deadline first")
async def work_queue(request: Request, tenant_id: Tenant, assigned_to: str | None = None,
                     include_snoozed: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    async with request.app.state.runtime.sessions() as session:
        store = DenialStore(session)
        denials = await store.open_denials(tenant_id)
        drafted = {a["denial_id"]: a for a in await store.appeals_of(tenant_id, status="drafted")}
    items = []
    for denial in denials:
        if denial["status"] == "appealed":
            continue  # waiting for the payer, not for us
        if assigned_to and denial["assigned_to"] != assigned_to:
            continue
        if not include_snoozed and denial["snoozed_until"] and denial["snoozed_until"] > now:
            continue
        appeal = drafted.get(denial["denial_id"])
        deadline = appeal["deadline"] if appeal else denial["appeal_deadline"]
        left = days_to(deadline, now.date()) if deadline else None
        open_amount = denial["denied_amount"] - denial["recovered_amount"]
        items.append({
            "kind": "appeal" if appeal else "denial", "denial_id": denial["denial_id"],
            "appeal_id": appeal["appeal_id"] if appeal else None, "claim_id": denial["claim_id"],
            "payer_id": denial["payer_id"], "category": denial["category"], "status": denial["status"],
            "open_amount": money(open_amount), "recoverability": float(denial["recoverability"]),
            "expected_recovery": money(open_amount * denial["recoverability"]),
            "deadline": deadline.isoformat() if deadline else None, "days_to_deadline": left,
            "priority": priority(open_amount, float(denial["recoverability"]), left),
            "sla_state": sla_state(denial["sla_due_at"], now), "assigned_to": denial["assigned_to"],
            "review_required": denial["review_required"], "recommended_action": denial["recommended_action"]})
    items.sort(key=lambda i: (-i["priority"], i["days_to_deadline"] if i["days_to_deadline"] is not None else 10**6))
    return {"items": items[:limit]}


@router.get("/denials/{denial_id}", summary="One denial with its appeals, write-offs and comments")
async def get_denial(request: Request, tenant_id: Tenant, denial_id: str) -> dict[str, Any]:
    denial_id = path_id(denial_id)
    async with request.app.state.runtime.sessions() as session:
        store = DenialStore(session)
        denial = await store.get(tenant_id, denial_id)
        if denial is None:
            raise NotFound(f"no denial {denial_id}")
        appeals = await store.appeals_of(tenant_id, denial_id=denial_id)
        write_offs = await store.write_offs_of(tenant_id, denial_id=denial_id)
        comments = await store.comments(denial_id)
    return {**denial_view(denial), "appeals": [appeal_view(a) for a in appeals],
            "write_offs": [write_off_view(w) for w in write_offs],
            "comments": [{"comment_id": c["comment_id"], "author": c["author"], "body": c["body"],
                          "created_at": c["created_at"].isoformat()} for c in comments]}


@router.post("/denials/{denial_id}/correct", status_code=202,
             summary="Correct and resubmit: the fix goes to intake or coding; submission then sends frequency 7")
async def correct(request: Request, caller: ClaimsWriter, denial_id: str, body: CorrectionRequest) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            denial = await recovery.request_correction(DenialStore(session), caller.tenant_id, path_id(denial_id),
                                                       body.route, body.reason)
    return denial_view(denial)


@router.post("/denials/{denial_id}/assign", summary="Assign (or unassign with null) a denial")
async def assign(request: Request, caller: ClaimsWriter, denial_id: str, body: Assignment) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            await recovery.assign(DenialStore(session), caller.tenant_id, path_id(denial_id), body.assignee)
    return {"denial_id": denial_id, "assigned_to": body.assignee}


@router.post("/denials/{denial_id}/snooze", summary="Hide a denial from the work queue until a time")
async def snooze(request: Request, caller: ClaimsWriter, denial_id: str, body: Snooze) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            await recovery.snooze(DenialStore(session), caller.tenant_id, path_id(denial_id), body.until)
    return {"denial_id": denial_id, "snoozed_until": body.until.isoformat() if body.until else None}


@router.post("/denials/{denial_id}/comments", status_code=201, summary="Comment on a denial")
async def add_comment(request: Request, caller: ClaimsWriter, denial_id: str, body: Comment) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            row = await recovery.comment(DenialStore(session), caller.tenant_id, path_id(denial_id), body.author,
                                         body.body)
    return {"comment_id": row["comment_id"], "author": row["author"], "body": row["body"],
            "created_at": row["created_at"].isoformat()}

