"""Accounts receivable API: aging by payer (insurance A/R) or patient (patient A/R), the summary, CSV export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from services.remittance.domain.aging import BUCKETS, AgingRow
from services.remittance.domain.statement import money
from services.remittance.service_layer.accounts_receivable import aging, summary
from shared.http.access import ReadingTenant
from shared.http.spreadsheet_csv import csv_response

CENT = Decimal("0.01")
router = APIRouter(prefix="/v1/ar", tags=["accounts receivable"])
Tenant = ReadingTenant
By = Annotated[Literal["payer", "patient"], Query(description="payer: insurance A/R per payer id; "
                                                                "patient: patient A/R per patient key")]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def _rows(request: Request, tenant_id: str, by: str, as_of: dt.date) -> list[AgingRow]:
    async with request.app.state.runtime.sessions() as session:
        return await aging(session, tenant_id, as_of, by)


def _csv(rows: list[AgingRow], by: str, as_of: dt.date) -> Response:
    """Amounts as numbers to the cent (a credit is negative); keys are text, neutralised for spreadsheets."""
    return csv_response([by, *BUCKETS, "total", "credit"],
                        ([row.key, *(_cents(row.buckets[b]) for b in BUCKETS), _cents(row.total), _cents(row.credit)]
                         for row in rows), filename=f"ar-aging-{by}-{as_of}.csv")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


@router.get("/aging.csv", summary="The aging as CSV", response_class=Response)
async def aging_csv(request: Request, tenant_id: Tenant, by: By = "payer", as_of: dt.date | None = None) -> Response:
    date = as_of or _today()
    return _csv(await _rows(request, tenant_id, by, date), by, date)


@router.get("/aging", summary="Aging buckets 0-30, 31-60, 61-90, 91-120, 120+ days (CSV with Accept: text/csv)")
async def aging_json(request: Request, tenant_id: Tenant, by: By = "payer", as_of: dt.date | None = None) -> Any:
    date = as_of or _today()
    rows = await _rows(request, tenant_id, by, date)
    if "text/csv" in request.headers.get("accept", ""):
        return _csv(rows, by, date)
    totals = {b: money(sum((r.buckets[b] for r in rows), start=0)) for b in BUCKETS}
    return {"by": by, "as_of": date.isoformat(), "buckets": list(BUCKETS),
            "rows": [{"key": r.key, "buckets": {b: money(r.buckets[b]) for b in BUCKETS}, "total": money(r.total),
                      "credit": money(r.credit)} for r in rows],
            "totals": totals | {"total": money(sum((r.total for r in rows), start=0))}}


@router.get("/summary", summary="Insurance and patient A/R, days in A/R, gross and net collection rates")
async def ar_summary(request: Request, tenant_id: Tenant, as_of: dt.date | None = None) -> dict[str, Any]:
    date = as_of or _today()
    async with request.app.state.runtime.sessions() as session:
        figures = await summary(session, tenant_id, date)

    def optional(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "as_of": date.isoformat(),
        "insurance": {b: money(v) for b, v in figures.insurance.items()}
        | {"total": money(sum(figures.insurance.values(), start=0))},
        "patient": {b: money(v) for b, v in figures.patient.items()}
        | {"total": money(sum(figures.patient.values(), start=0))},
        "patient_credits": money(figures.patient_credits), "total": money(figures.total),
        "charges": money(figures.charges), "collected": money(figures.collected),
        "written_off": money(figures.written_off), "days_in_a_r": optional(figures.days_in_a_r),
        "gross_collection_rate": optional(figures.gross_collection_rate),
        "net_collection_rate": optional(figures.net_collection_rate),
    }
