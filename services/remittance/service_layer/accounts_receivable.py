"""A/R use cases: aging by payer or patient, and the summary with days in A/R and collection rates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.patient_store import PatientStore, claim_charges, patient_transaction
from services.remittance.domain.aging import (
    AgingRow,
    PatientShare,
    ReceivablesSummary,
    insurance_aging,
    patient_aging,
    summarise,
)
from services.remittance.domain.patient_ledger import PatientTransaction


async def _receivables(session: AsyncSession, tenant_id: str, as_of: dt.date
                       ) -> tuple[list[AgingRow], list[AgingRow], list, list[PatientTransaction]]:
    store = PatientStore(session)
    rows = await store.claim_totals(tenant_id, as_of)
    transactions = [(t["patient_key"], patient_transaction(t)) for t in await store.transactions(tenant_id, as_of)]
    claims = [(claim_charges(row), row["patient_key"]) for row in rows]
    by_patient: dict[str, list[PatientTransaction]] = defaultdict(list)
    for key, transaction in transactions:
        by_patient[key].append(transaction)
    shares = [PatientShare(claim, key, row["patient_billed_at"].date())
              for (claim, key), row in zip(claims, rows, strict=True)
              if claim.patient_responsibility and row["patient_billed_at"] is not None]
    return (insurance_aging(claims, as_of, "payer"), patient_aging(shares, by_patient, as_of),
            [claim for claim, _ in claims], [t for _, t in transactions])


async def aging(session: AsyncSession, tenant_id: str, as_of: dt.date, by: str) -> list[AgingRow]:
    """Insurance A/R per payer (by="payer") or patient A/R per patient (by="patient")."""
    insurance, patient, _, _ = await _receivables(session, tenant_id, as_of)
    return insurance if by == "payer" else patient


async def summary(session: AsyncSession, tenant_id: str, as_of: dt.date) -> ReceivablesSummary:
    """Insurance and patient A/R by bucket, days in A/R and collection rates as of a date."""
    insurance, patient, claims, transactions = await _receivables(session, tenant_id, as_of)
    return summarise(insurance, patient, claims, transactions, as_of)
