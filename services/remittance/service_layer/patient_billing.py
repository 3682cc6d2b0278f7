"""Patient billing use cases: the patient ledger, payments and refunds, and the statement cycle."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.patient_store import PatientStore, claim_charges, patient_transaction
from services.remittance.adapters.statement_pdf import render_statement_pdf
from services.remittance.domain.patient_ledger import PatientLedger, check_transaction
from services.remittance.domain.statement import statement_document
from shared.errors import DomainError


class UnknownPatient(DomainError):
    """No claim of this tenant names the patient key."""


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was used before for another request."""


async def patient_ledger(session: AsyncSession, tenant_id: str, patient_key: str, as_of: dt.date) -> PatientLedger:
    """The patient's claims served by as_of and payments received by as_of."""
    store = PatientStore(session)
    claims = await store.claim_totals(tenant_id, as_of, patient_key)
    transactions = await store.transactions(tenant_id, as_of, patient_key)
    if not claims and not transactions and await store.patient(tenant_id, patient_key) is None:
        raise UnknownPatient(f"no patient {patient_key} for this tenant")
    return PatientLedger(tuple(claim_charges(c) for c in claims),
                         tuple(patient_transaction(t) for t in transactions))


async def take_patient_transaction(session: AsyncSession, tenant_id: str, patient_key: str, kind: str,
                                   amount: Decimal, method: str, received_on: dt.date,
                                   idempotency_key: str) -> tuple[dict[str, Any], bool]:
    """Record a payment or refund once per Idempotency-Key; returns (transaction, replayed)."""
    store = PatientStore(session)
    fingerprint = hashlib.sha256(f"{patient_key}|{kind}|{amount:.2f}|{method}|{received_on}".encode()).hexdigest()
    earlier = await store.transaction_by_key(tenant_id, idempotency_key)
    if earlier is None:
        await store.lock_patient(tenant_id, patient_key)
        check_transaction(await patient_ledger(session, tenant_id, patient_key, dt.date.max), kind, amount)
        added = await store.add_transaction({
            "transaction_id": str(uuid.uuid4()), "tenant_id": tenant_id, "patient_key": patient_key, "kind": kind,
            "amount": amount, "method": method, "idempotency_key": idempotency_key,
            "request_fingerprint": fingerprint, "received_on": received_on})
        if added is not None:
            return added, False
        earlier = await store.transaction_by_key(tenant_id, idempotency_key)  # a concurrent twin won the race
    assert earlier is not None
    if earlier["request_fingerprint"] != fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was used for a different request")
    return earlier, True


async def issue_statement(session: AsyncSession, tenant_id: str, patient_key: str, as_of: dt.date,
                          ledger: PatientLedger | None = None) -> dict[str, Any]:
    """Render, store and return one patient's statement as of a date (reissued when run again for it)."""
    store = PatientStore(session)
    ledger = ledger or await patient_ledger(session, tenant_id, patient_key, as_of)
    patient = await store.patient(tenant_id, patient_key)
    if patient is None:
        raise UnknownPatient(f"no patient {patient_key} for this tenant")
    document = statement_document(ledger, patient, patient["practice"], patient_key, as_of)
    statement_id = await store.save_statement({
        "statement_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"statement:{tenant_id}:{patient_key}:{as_of}")),
        "tenant_id": tenant_id, "patient_key": patient_key, "as_of": as_of, "document": document,
        "pdf": render_statement_pdf(document)})
    return {"statement_id": statement_id, **document}


async def run_statement_cycle(session: AsyncSession, tenant_id: str, as_of: dt.date) -> list[dict[str, Any]]:
    """A statement for every patient of the tenant who owes something or holds a credit as of the date."""
    store = PatientStore(session)
    claims = await store.claim_totals(tenant_id, as_of)
    transactions = await store.transactions(tenant_id, as_of)
    keys = sorted({c["patient_key"] for c in claims} | {t["patient_key"] for t in transactions})
    issued = []
    for key in keys:
        ledger = PatientLedger(tuple(claim_charges(c) for c in claims if c["patient_key"] == key),
                               tuple(patient_transaction(t) for t in transactions if t["patient_key"] == key))
        if ledger.patient_due == 0:
            continue
        statement = await issue_statement(session, tenant_id, key, as_of, ledger)
        issued.append({"statement_id": statement["statement_id"], "patient_key": key,
                       "amount_due": statement["totals"]["amount_due"], "credit": statement["totals"]["credit"]})
    return issued
