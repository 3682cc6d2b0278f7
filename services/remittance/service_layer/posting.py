"""Remittance's use cases: receive an 835, check it balances, post each claim payment, match late.

A file is stored whole before it is read. A file that does not parse, or a transaction that does
not balance, posts nothing and says why. A claim payment whose CLP01 we do not know yet waits
unposted and is posted when the claim's submission arrives.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.balancing import BalanceError, find_balance_errors
from services.remittance.domain.era_model import ClaimPayment, Remittance
from services.remittance.domain.era_parser import parse_835
from services.remittance.domain.errors import EraParseError
from services.remittance.domain.line_matching import BilledLine
from services.remittance.domain.posting import post_claim_payment
from services.remittance.domain.posting_model import EntryKind
from shared.events.claim_events import ClaimSubmitted, PostedAdjustment, RemittancePosted
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import envelope_for
from shared.x12.tokenizer import X12SyntaxError

SOURCE = "remittance"


async def receive_era_file(session: AsyncSession, delivery_id: str, x12: str) -> tuple[str, str | None]:
    """Store, check and post one delivered 835 file; returns (outcome, parse error)."""
    store = RemittanceStore(session)
    if not await store.store_file(delivery_id, x12):
        return "duplicate_delivery", None
    try:
        remittances = parse_835(x12)
    except (EraParseError, X12SyntaxError) as error:
        await store.set_file_outcome(delivery_id, "parse_error", str(error)[:1000])
        return "parse_error", str(error)[:1000]
    outcomes = [await post_remittance(store, delivery_id, index, remittance)
                for index, remittance in enumerate(remittances)]
    outcome = outcomes[0] if len(set(outcomes)) == 1 else "mixed"
    await store.set_file_outcome(delivery_id, outcome)
    return outcome, None


async def post_remittance(store: RemittanceStore, delivery_id: str, index: int, remittance: Remittance) -> str:
    """Post one ST/SE transaction; returns posted, partially_matched, unmatched, held or duplicate."""
    era_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"era:{delivery_id}:{index}"))
    balance_errors = find_balance_errors(remittance)
    era = {
        "era_id": era_id, "delivery_id": delivery_id, "transaction_index": index,
        "payer_identifier": remittance.trace.originating_company_id or remittance.payer.identifier,
        "payer_name": remittance.payer.name[:120], "trace_number": remittance.trace.trace_number,
        "total_paid": remittance.payment.total_paid, "payment_method": remittance.payment.method,
        "payment_date": remittance.payment.payment_date, "claims_total": len(remittance.claims),
        "status": "held" if balance_errors else "received",
        "hold_reason": "; ".join(_describe(e) for e in balance_errors[:20]) or None,
    }
    if not await store.add_era(era):
        return "duplicate"
    if balance_errors:
        return "held"
    matched, tenant_id = 0, None
    for claim_index, claim in enumerate(remittance.claims):
        billed = await store.billed_claim_by_pcn(claim.patient_control_number)
        if billed is None:
            await store.add_era_claim(_era_claim(era_id, claim_index, claim, None, None, posted=False))
            continue
        await post_claim(store, era_id, claim_index, claim, billed, remittance.payer.identifier)
        matched, tenant_id = matched + 1, billed["tenant_id"]
    status = _era_status(matched, len(remittance.claims))
    await store.update_era(era_id, status=status, claims_matched=matched, tenant_id=tenant_id)
    return status


async def post_claim(store: RemittanceStore, era_id: str, claim_index: int, claim: ClaimPayment,
                     billed: dict, payer_id: str) -> None:
    """Post one claim payment to its claim's ledger and announce it."""
    posting = post_claim_payment(claim, _billed_lines(billed))
    await store.add_entries([{
        "claim_id": billed["claim_id"], "tenant_id": billed["tenant_id"], "era_id": era_id,
        "line_control_number": entry.line_control_number, "kind": entry.kind.value,
        "group_code": entry.group_code, "reason_code": entry.reason_code, "amount": entry.amount,
    } for entry in posting.entries])
    outcome = posting.outcome.value
    await store.add_era_claim(_era_claim(era_id, claim_index, claim, billed["claim_id"], outcome, posted=True))
    await store.set_claim_status(billed["claim_id"], outcome)
    totals = posting.totals
    event = RemittancePosted(
        era_id=era_id, claim_status=outcome, payer_id=billed["payer_id"] or payer_id,
        payer_claim_control_number=claim.payer_claim_control_number or None, billed=totals.billed,
        paid=totals.paid, patient_responsibility=totals.patient_responsibility,
        adjustments=[PostedAdjustment(line_control_number=e.line_control_number, group_code=e.group_code or "",
                                      reason_code=e.reason_code or "", amount=e.amount)
                     for e in posting.entries if e.kind is not EntryKind.PAYMENT],
        remark_codes=sorted({r.code for r in posting.remark_codes}
                            | {r.code for line in posting.lines for r in line.remark_codes}))
    await store.record(billed["claim_id"], [envelope_for(event, source=SOURCE, claim_id=billed["claim_id"],
                                                         tenant_id=billed["tenant_id"])])


async def register_submitted_claim(session: AsyncSession, event: ClaimSubmitted, envelope: EventEnvelope) -> None:
    """Remember what was billed, then post any claim payment that arrived before the claim did."""
    store = RemittanceStore(session)
    await store.upsert_billed_claim({
        "claim_id": envelope.claim_id, "tenant_id": envelope.tenant_id,
        "patient_control_number": event.patient_control_number, "payer_id": event.payer_id,
        "claim_version": event.claim_version, "submission_id": event.submission_id, "billed": event.total_charge,
        "lines": [line.model_dump(mode="json") for line in event.lines], "status": "submitted"})
    billed = await store.billed_claim_by_pcn(event.patient_control_number)
    assert billed is not None
    for waiting in await store.unposted_era_claims(event.patient_control_number):
        remittance = parse_835(await store.file_x12(waiting["delivery_id"]))[waiting["transaction_index"]]
        claim = remittance.claims[waiting["claim_index"]]
        await post_claim(store, waiting["era_id"], waiting["claim_index"], claim, billed, remittance.payer.identifier)
        era = await store.era(waiting["era_id"])
        matched = era["claims_matched"] + 1
        await store.update_era(waiting["era_id"], claims_matched=matched, tenant_id=envelope.tenant_id,
                               status=_era_status(matched, era["claims_total"]))


def _billed_lines(billed: dict) -> list[BilledLine]:
    return [BilledLine(line_control_number=line["line_control_number"], procedure_code=line["procedure_code"],
                       modifiers=tuple(line["modifiers"]), units=Decimal(str(line["units"])),
                       charge=Decimal(str(line["charge"])),
                       service_date=dt.date.fromisoformat(line["date_of_service"])) for line in billed["lines"]]


def _era_claim(era_id: str, claim_index: int, claim: ClaimPayment, claim_id: str | None, outcome: str | None,
               posted: bool) -> dict:
    return {"era_id": era_id, "claim_index": claim_index, "claim_id": claim_id,
            "patient_control_number": claim.patient_control_number, "status_code": claim.status_code,
            "outcome": outcome, "billed": claim.total_charge, "paid": claim.paid,
            "patient_responsibility": claim.patient_responsibility,
            "payer_claim_control_number": claim.payer_claim_control_number or None, "posted": posted}


def _era_status(matched: int, total: int) -> str:
    if matched == total:
        return "posted"
    return "unmatched" if matched == 0 else "partially_matched"


def _describe(error: BalanceError) -> str:
    """A balancing failure by rule, position and amounts (no PHI)."""
    where = f"ST {error.transaction_control_number}"
    if error.claim_index is not None:
        where += f" claim {error.claim_index + 1}"
    if error.line_index is not None:
        where += f" line {error.line_index + 1}"
    return f"{error.rule}: {where} at segment {error.segment_index} expected {error.expected} found {error.actual}"
