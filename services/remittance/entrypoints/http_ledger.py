"""A claim's ledger and a payer's account (PLB provider-level adjustments), to the cent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request

from services.remittance.adapters.repository import RemittanceStore, cents
from services.remittance.domain.posting_model import PATIENT_KINDS, EntryKind
from shared.http.access import ReadingTenant
from shared.http.problems import NotFound
from shared.ids import parse_claim_id

router = APIRouter(prefix="/v1", tags=["remittance"])
Tenant = ReadingTenant
ZERO = Decimal("0.00")
PATIENT_PARTS = (EntryKind.DEDUCTIBLE, EntryKind.COINSURANCE, EntryKind.COPAY, EntryKind.OTHER_PATIENT_RESPONSIBILITY)


@router.get("/claims/{claim_id}/ledger", summary="What was billed, paid, adjusted and is owed, to the cent")
async def claim_ledger(request: Request, claim_id: str, tenant_id: Tenant) -> dict[str, Any]:
    """billed = paid + written_off + patient_responsibility.total + insurance_balance, always; entries are
    append-only, an adjudication no longer in force is offset by entries naming it (offsets_era_id)."""
    async with request.app.state.runtime.sessions() as session:
        store = RemittanceStore(session)
        claim, entries = await store.ledger(tenant_id, parse_claim_id(claim_id))
        provider_adjustments = await store.payer_account_entries_of(tenant_id, claim_id=parse_claim_id(claim_id))
    if claim is None:
        raise NotFound(f"no ledger for claim {claim_id} for this tenant")
    paid = sum((e["amount"] for e in entries if e["kind"] == EntryKind.PAYMENT), ZERO)
    # CARC 23 on a later payer's 835 is what the earlier payers decided, already counted through their entries.
    prior_payer = sum((e["amount"] for e in entries if e["kind"] == EntryKind.PRIOR_PAYER), ZERO)
    adjustments: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    patient: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        if entry["kind"] in (EntryKind.PAYMENT, EntryKind.PRIOR_PAYER):
            continue
        adjustments[(entry["group_code"] or "", entry["reason_code"] or "")] += entry["amount"]
        if entry["kind"] in PATIENT_KINDS:
            patient[entry["kind"]] += entry["amount"]
    patient_total = sum(patient.values(), ZERO)
    written_off = sum(adjustments.values(), ZERO) - patient_total
    insurance_balance = claim["billed"] - paid - written_off - patient_total
    return {
        "claim_id": claim_id, "status": claim["status"], "payer_id": claim["payer_id"],
        "forwarded": claim["forwarded"],
        "billed": cents(claim["billed"]), "paid": cents(paid), "written_off": cents(written_off),
        "adjustments": [{"group_code": group, "reason_code": reason, "amount": cents(amount)}
                        for (group, reason), amount in sorted(adjustments.items()) if amount],
        "patient_responsibility": {"total": cents(patient_total), **{
            kind.value: cents(patient.get(kind.value, ZERO)) for kind in PATIENT_PARTS}},
        "prior_payer_adjudication": cents(prior_payer),
        "insurance_balance": cents(insurance_balance), "patient_balance": cents(patient_total),
        "balance": cents(insurance_balance + patient_total),
        "entries": [{"era_id": e["era_id"], "line_control_number": e["line_control_number"], "kind": e["kind"],
                     "group_code": e["group_code"], "reason_code": e["reason_code"], "amount": cents(e["amount"]),
                     "payer_identifier": e["payer_identifier"], "claim_version": e["claim_version"],
                     # An offset takes (part of) an earlier adjudication out: which ERA's, and why.
                     "offsets_era_id": e["offsets_era_id"], "offset_reason": e["offset_reason"],
                     "posted_at": e["posted_at"].isoformat()} for e in entries],
        # PLB adjustments naming this claim: on the payer account, outside the claim's own balance.
        "provider_adjustments": [_payer_entry(e) for e in provider_adjustments],
    }


@router.get("/payers/{payer_identifier}/account",
            summary="PLB provider-level adjustments of one payer (TRN03 id): recoupments, interest, forward balances")
async def payer_account(request: Request, payer_identifier: str, tenant_id: Tenant) -> dict[str, Any]:
    """Positive amounts were withheld by the payer, negative ones added (interest)."""
    async with request.app.state.runtime.sessions() as session:
        entries = await RemittanceStore(session).payer_account_entries_of(tenant_id, payer_identifier)
    by_reason: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        by_reason[entry["reason_code"]] += entry["amount"]
    return {"payer_identifier": payer_identifier,
            "total_withheld": cents(sum((e["amount"] for e in entries), ZERO)),
            "by_reason": {reason: cents(amount) for reason, amount in sorted(by_reason.items())},
            "entries": [_payer_entry(e) for e in entries]}


def _payer_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {"era_id": entry["era_id"], "payer_identifier": entry["payer_identifier"],
            "provider_id": entry["provider_id"], "fiscal_period_date": entry["fiscal_period_date"].isoformat(),
            "reason_code": entry["reason_code"], "reference_id": entry["reference_id"],
            "claim_id": entry["claim_id"], "amount": cents(entry["amount"]),
            "posted_at": entry["posted_at"].isoformat()}
