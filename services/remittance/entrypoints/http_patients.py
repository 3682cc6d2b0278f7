"""Patient billing API: the patient ledger, payments and refunds (Idempotency-Key), statements as JSON and PDF.

Patients are named by their patient key (a hash of tenant and account number), never by the account
number itself, so URLs and access logs carry no PHI; POST /v1/patients/lookup turns one into the other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, Field

from services.remittance.adapters.patient_store import PatientStore
from services.remittance.adapters.tables import audit_log
from services.remittance.domain.patient_key import patient_key
from services.remittance.domain.patient_ledger import PatientTransactionRefused
from services.remittance.domain.statement import statement_document
from services.remittance.service_layer.patient_billing import (
    IdempotencyKeyReused,
    UnknownPatient,
    issue_statement,
    patient_ledger,
    run_statement_cycle,
    take_patient_transaction,
)
from shared.db import transaction_attempts
from shared.http.access import ClaimsReader, PaymentsWriter, ReadingTenant
from shared.http.problems import NotFound, Unprocessable
from shared.phi_audit import record_disclosure
from shared.tenancy import Principal

router = APIRouter(prefix="/v1", tags=["patient billing"])
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


class PatientLookup(BaseModel):
    account_number: str = Field(min_length=1, max_length=38, description="the practice's patient account number")


class PatientMoney(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=10, decimal_places=2, description="dollars, at most two decimals")
    method: Literal["cash", "check", "card", "ach", "other"] = "card"
    received_on: dt.date | None = Field(default=None, description="defaults to today (UTC)")


class StatementRun(BaseModel):
    as_of: dt.date = Field(description="the statement date: services and money up to the end of this day")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@router.post("/patients/lookup", summary="The patient key of an account number (kept out of URLs)")
async def lookup_patient(body: PatientLookup, tenant_id: ReadingTenant) -> dict[str, str]:
    """A read by POST (the account number stays out of URLs and logs): claims:read."""
    return {"patient_key": patient_key(tenant_id, body.account_number)}


@router.get("/patients/{patient_key}/ledger", summary="A patient's services, insurance activity, payments and due")
async def get_patient_ledger(request: Request, patient_key: str, caller: ClaimsReader,
                             as_of: dt.date | None = None) -> dict[str, Any]:
    """The patient's services and money (PHI): the read is written to the audit log."""
    date = as_of or _today()
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            try:
                ledger = await patient_ledger(session, caller.tenant_id, patient_key, date)
            except UnknownPatient as error:
                raise NotFound(str(error)) from None
            await record_disclosure(session, audit_log, request, caller,
                                    sorted({claim.claim_id for claim in ledger.claims}) or [None], patient_key[:64])
    document = statement_document(ledger, {"first_name": "", "last_name": "", "account_number": "", "address": {}},
                                  "", patient_key, date)
    return {"patient_key": patient_key, "as_of": date.isoformat(), "claims": document["services"],
            "transactions": document["patient_transactions"], "totals": document["totals"]}


async def _take(request: Request, response: Response, tenant_id: str, key: str, kind: str, body: PatientMoney,
                idempotency_key: str) -> dict[str, Any]:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                row, replayed = await take_patient_transaction(
                    session, tenant_id, key, kind, body.amount, body.method, body.received_on or _today(),
                    idempotency_key)
    except UnknownPatient as error:
        raise NotFound(str(error)) from None
    except (PatientTransactionRefused, IdempotencyKeyReused) as error:
        raise Unprocessable(str(error)) from None
    response.status_code = 201
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return {"transaction_id": str(row["transaction_id"]), "patient_key": key, "kind": row["kind"],
            "amount": f"{row['amount']:.2f}", "method": row["method"], "received_on": row["received_on"].isoformat()}


@router.post("/patients/{patient_key}/payments", status_code=201, summary="Take a patient payment (Idempotency-Key)")
async def post_patient_payment(request: Request, response: Response, patient_key: str, body: PatientMoney,
                               caller: PaymentsWriter, idempotency_key: IdempotencyKey) -> dict[str, Any]:
    return await _take(request, response, caller.tenant_id, patient_key, "payment", body, idempotency_key)


@router.post("/patients/{patient_key}/refunds", status_code=201,
             summary="Refund a patient's credit (Idempotency-Key); never more than the credit")
async def post_patient_refund(request: Request, response: Response, patient_key: str, body: PatientMoney,
                              caller: PaymentsWriter, idempotency_key: IdempotencyKey) -> dict[str, Any]:
    return await _take(request, response, caller.tenant_id, patient_key, "refund", body, idempotency_key)


@router.post("/statements/run", summary="Run the statement cycle: a statement for every patient who owes or is owed")
async def run_statements(request: Request, body: StatementRun, caller: PaymentsWriter) -> dict[str, Any]:
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            issued = await run_statement_cycle(session, caller.tenant_id, body.as_of)
    return {"as_of": body.as_of.isoformat(), "statements": issued}


@router.post("/patients/{patient_key}/statements", summary="Issue one patient's statement as of a date")
async def post_patient_statement(request: Request, patient_key: str, body: StatementRun,
                                 caller: PaymentsWriter) -> dict[str, Any]:
    try:
        async for attempt in transaction_attempts(request.app.state.runtime.sessions):
            async with attempt as session:
                return await issue_statement(session, caller.tenant_id, patient_key, body.as_of)
    except UnknownPatient as error:
        raise NotFound(str(error)) from None


async def _statement(request: Request, caller: Principal, statement_id: str) -> dict[str, Any]:
    """The statement (names, address, services: PHI), its read written to the audit log."""
    try:
        uuid.UUID(statement_id)
    except ValueError:
        raise NotFound(f"no statement {statement_id[:40]} for this tenant") from None
    async for attempt in transaction_attempts(request.app.state.runtime.sessions):
        async with attempt as session:
            statement = await PatientStore(session).statement(caller.tenant_id, statement_id)
            if statement is None:
                raise NotFound(f"no statement {statement_id} for this tenant")
            claim_ids = sorted({str(s["claim_id"]) for s in statement["document"].get("services", [])})
            await record_disclosure(session, audit_log, request, caller, claim_ids or [None], statement_id)
    return statement


def _pdf(statement: dict[str, Any]) -> Response:
    return Response(statement["pdf"], media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="statement-{statement["statement_id"]}.pdf"'})


@router.get("/statements/{statement_id}.pdf", summary="A statement as PDF", response_class=Response)
async def get_statement_pdf(request: Request, statement_id: str, caller: ClaimsReader) -> Response:
    return _pdf(await _statement(request, caller, statement_id))


@router.get("/statements/{statement_id}", summary="A statement as JSON, or PDF with Accept: application/pdf")
async def get_statement(request: Request, statement_id: str, caller: ClaimsReader) -> Any:
    statement = await _statement(request, caller, statement_id)
    if "application/pdf" in request.headers.get("accept", ""):
        return _pdf(statement)
    return {"statement_id": str(statement["statement_id"]), **statement["document"]}
