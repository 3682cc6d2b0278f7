"""Intake's claim queries: the filtered, cursor-paginated list and the summary shape it shares with detail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.intake.adapters.claim_listing import ClaimListing
from services.intake.domain.claim_listing import (
    MAX_PAGE,
    ClaimFilters,
    InvalidCursor,
    InvalidFilter,
    Position,
    decode_cursor,
    encode_cursor,
)
from services.intake.domain.status import STATUSES
from services.intake.entrypoints.authorization import ClaimsReader, audit_reads
from shared.db import transaction_attempts
from shared.http.problems import Unprocessable

router = APIRouter(prefix="/v1", tags=["claims"])


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def claim_view(claim: dict[str, Any]) -> dict[str, Any]:
    """A claim summary with its balances; before any remittance the whole charge is still owed."""
    billed = claim["billed"] if claim["billed"] is not None else claim["total_charge"]
    balance = claim["balance"] if claim["balance"] is not None else claim["total_charge"]
    return {
        "claim_id": claim["claim_id"], "external_id": claim["external_id"], "claim_type": claim["claim_type"],
        "status": claim["status"], "status_at": claim["status_at"].isoformat(), "payer_id": claim["payer_id"],
        "date_of_service": claim["date_of_service"], "total_charge": _money(claim["total_charge"]),
        "balances": {"billed": _money(billed), "paid": _money(claim["paid"]), "adjusted": _money(claim["adjusted"]),
                     "patient_responsibility": _money(claim["patient_responsibility"]), "balance": _money(balance),
                     "adjudicated": claim["billed"] is not None},
        "created_at": claim["created_at"].isoformat(), "updated_at": claim["updated_at"].isoformat(),
    }


def _invalid(pointer: str, detail: str) -> Unprocessable:
    return Unprocessable(detail, errors=[{"pointer": pointer, "detail": detail}])


@router.get("/claims", summary="The tenant's claims, newest first, filtered, in pages (cursor)")
async def list_claims(
    request: Request, caller: ClaimsReader,
    status: Annotated[str | None, Query(max_length=32)] = None,
    payer_id: Annotated[str | None, Query(max_length=80)] = None,
    external_id: Annotated[str | None, Query(max_length=64)] = None,
    date_of_service_from: dt.date | None = None, date_of_service_to: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=400, description="next_cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Each page ends with next_cursor (null on the last page); pass it back with the same filters."""
    if status is not None and status not in STATUSES:
        raise _invalid("/status", f"unknown status; one of: {', '.join(STATUSES)}")
    try:
        filters = ClaimFilters(status, payer_id, external_id, date_of_service_from, date_of_service_to)
        after = decode_cursor(cursor) if cursor else None
    except InvalidFilter as invalid:
        raise _invalid("/date_of_service_from", str(invalid)) from None
    except InvalidCursor as invalid:
        raise _invalid("/cursor", str(invalid)) from None
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            # One more than asked tells whether another page exists.
            rows = await ClaimListing(session).page(caller.tenant_id, filters, after, limit + 1)
            page = rows[:limit]
            await audit_reads(session, request, caller, [row["claim_id"] for row in page])
    next_cursor = encode_cursor(Position(page[-1]["created_at"], page[-1]["claim_id"])) if len(rows) > limit else None
    return {"claims": [claim_view(row) for row in page], "next_cursor": next_cursor}
