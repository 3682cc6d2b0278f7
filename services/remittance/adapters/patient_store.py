"""Remittance's SQL for patients: their claims and totals, payments and refunds, statements, and A/R."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.tables import (
    billed_claims,
    claim_encounters,
    ledger_entries,
    patient_transactions,
    statements,
)
from services.remittance.domain.patient_ledger import ClaimCharges, PatientTransaction
from services.remittance.domain.posting_model import PATIENT_KINDS, EntryKind

ZERO = Decimal("0.00")
# The prior payers' part (CARC 23) is theirs, already in the ledger through their own 835: not written off twice.
NOT_WRITTEN_OFF = PATIENT_KINDS | {EntryKind.PAYMENT, EntryKind.PRIOR_PAYER}


def _entry_sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, ledger_entries.c.amount), else_=0)), 0)


class PatientStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def claim_totals(self, tenant_id: str, as_of: dt.date, patient_key: str | None = None) -> list[dict]:
        """Every billed claim of the tenant (or one patient) served by as_of, with entries posted by as_of."""
        kind = ledger_entries.c.kind
        posted_by = and_(ledger_entries.c.claim_id == billed_claims.c.claim_id,
                         cast(ledger_entries.c.posted_at, Date) <= as_of)
        query = (select(
            billed_claims.c.claim_id, billed_claims.c.payer_id, billed_claims.c.status, billed_claims.c.billed,
            billed_claims.c.lines, billed_claims.c.first_submitted_at, claim_encounters.c.patient_key,
            claim_encounters.c.date_of_service,
            _entry_sum(kind == EntryKind.PAYMENT.value).label("paid"),
            _entry_sum(kind.in_([k.value for k in PATIENT_KINDS])).label("patient"),
            _entry_sum(kind.not_in([k.value for k in NOT_WRITTEN_OFF])).label("written_off"),
            func.max(case((and_(kind.in_([k.value for k in PATIENT_KINDS]), ledger_entries.c.amount > 0),
                           ledger_entries.c.posted_at))).label("patient_billed_at"))
            .join(claim_encounters, claim_encounters.c.claim_id == billed_claims.c.claim_id)
            .outerjoin(ledger_entries, posted_by)
            .where(billed_claims.c.tenant_id == tenant_id, claim_encounters.c.date_of_service <= as_of)
            .group_by(billed_claims.c.claim_id, claim_encounters.c.claim_id)
            .order_by(claim_encounters.c.date_of_service, billed_claims.c.claim_id))
        if patient_key is not None:
            query = query.where(claim_encounters.c.patient_key == patient_key)
        return [dict(r._mapping) for r in (await self.session.execute(query)).all()]

    async def transactions(self, tenant_id: str, as_of: dt.date, patient_key: str | None = None) -> list[dict]:
        query = select(patient_transactions).where(patient_transactions.c.tenant_id == tenant_id,
                                                   patient_transactions.c.received_on <= as_of)
        if patient_key is not None:
            query = query.where(patient_transactions.c.patient_key == patient_key)
        rows = await self.session.execute(query.order_by(patient_transactions.c.received_on,
                                                         patient_transactions.c.created_at))
        return [dict(r._mapping) for r in rows.all()]

    async def patient(self, tenant_id: str, patient_key: str) -> dict[str, Any] | None:
        """The patient as the latest encounter named them, with the practice that billed."""
        row = (await self.session.execute(select(claim_encounters.c.patient, claim_encounters.c.billing_provider_name)
                                          .where(claim_encounters.c.tenant_id == tenant_id,
                                                 claim_encounters.c.patient_key == patient_key)
                                          .order_by(claim_encounters.c.received_at.desc()).limit(1))).first()
        return {**row[0], "practice": row[1]} if row else None

    async def lock_patient(self, tenant_id: str, patient_key: str) -> None:
        """Serialise payments and refunds of one patient, so two refunds cannot both spend one credit."""
        await self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"{tenant_id}:{patient_key}"))))

    async def add_transaction(self, values: dict[str, Any]) -> dict[str, Any] | None:
        """The new transaction, or None when its Idempotency-Key was used before."""
        row = (await self.session.execute(insert(patient_transactions).values(**values).on_conflict_do_nothing()
                                          .returning(patient_transactions))).first()
        return dict(row._mapping) if row else None

    async def transaction_by_key(self, tenant_id: str, idempotency_key: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(patient_transactions).where(
            patient_transactions.c.tenant_id == tenant_id,
            patient_transactions.c.idempotency_key == idempotency_key))).first()
        return dict(row._mapping) if row else None

    async def save_statement(self, values: dict[str, Any]) -> str:
        """Issue (or reissue, for the same date) a patient's statement; returns its id."""
        statement_id = (await self.session.execute(insert(statements).values(**values).on_conflict_do_update(
            constraint="statements_patient_as_of_key",
            set_={"document": values["document"], "pdf": values["pdf"], "created_at": func.now()})
            .returning(statements.c.statement_id))).scalar_one()
        return str(statement_id)

    async def statement(self, tenant_id: str, statement_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(statements).where(
            statements.c.tenant_id == tenant_id, statements.c.statement_id == statement_id))).first()
        return dict(row._mapping) if row else None

    async def tenants_with_claims(self) -> list[str]:
        rows = await self.session.execute(select(claim_encounters.c.tenant_id).distinct())
        return [r[0] for r in rows.all()]


def claim_charges(row: dict[str, Any]) -> ClaimCharges:
    """A claim_totals row as the domain's ClaimCharges."""
    procedures = tuple("-".join([line["procedure_code"], *line["modifiers"]]) for line in row["lines"])
    return ClaimCharges(str(row["claim_id"]), row["date_of_service"], row["payer_id"], row["status"], procedures,
                        row["billed"], Decimal(row["paid"]), Decimal(row["written_off"]), Decimal(row["patient"]))


def patient_transaction(row: dict[str, Any]) -> PatientTransaction:
    return PatientTransaction(str(row["transaction_id"]), row["kind"], row["amount"], row["method"], row["received_on"])
