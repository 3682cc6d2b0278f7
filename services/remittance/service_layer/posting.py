"""Remittance's use cases: receive an 835, route it to its payee's tenant, check it balances, post it.

A file is read on an X12 reader thread (never on the event loop) and stored whole before it is posted.
A file that does not parse, a transaction that does not
balance or pays another payee posts nothing and says why, naming the segment. Each transaction goes to
the tenant paid under the payee it names (domain/payee_routing), whether or not any claim of it is
known; one no tenant is paid under waits in the operator queue and posts when an operator routes it.
A claim payment whose CLP01 the tenant has not billed yet waits unposted and is posted when the
claim's submission arrives. Posting is set-based: see posting_batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.posting_store import PostingStore
from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.balancing import BalanceError, BalanceRule, find_balance_errors
from services.remittance.domain.era_model import Remittance
from services.remittance.domain.era_parser import parse_835
from services.remittance.domain.errors import EraParseError
from services.remittance.domain.payee_routing import payee_of, route
from services.remittance.domain.payer_account import other_payee_reason
from services.remittance.service_layer.claim_posting import PostingBatch, era_claim_row
from services.remittance.service_layer.posting_batch import collector_paused, post_claim_payments, write_batch
from services.remittance.service_layer.provider_adjustments import post_provider_adjustments
from services.remittance.service_layer.stored_eras import stored_remittance
from shared.events.claim_events import ClaimSubmitted
from shared.events.envelope import EventEnvelope
from shared.x12.reader_threads import read_off_the_loop
from shared.x12.tokenizer import X12SyntaxError

SEGMENT_OF_RULE = {BalanceRule.SERVICE_LINE: "SVC", BalanceRule.CLAIM: "CLP", BalanceRule.TRANSACTION: "BPR"}
UNROUTED = "unrouted"  # an ERA no tenant is paid under (or two are): it waits for an operator
PARSE_ERROR_MAX = 1000


@dataclass(frozen=True)
class EraReading:
    """An 835 file read: its transactions, or why it could not be read (positions and limits, never content)."""

    remittances: list[Remittance]
    error: str | None = None


async def read_era_file(x12: str) -> EraReading:
    """Parse the file on an X12 reader thread; a file too large for the reader is a parse error naming the limit."""
    try:
        return EraReading(await read_off_the_loop(parse_835, x12))
    except (EraParseError, X12SyntaxError) as error:
        return EraReading([], str(error)[:PARSE_ERROR_MAX])


async def receive_era_file(session: AsyncSession, delivery_id: str, x12: str,
                           reading: EraReading | None = None) -> tuple[str, str | None]:
    """Store, check and post one delivered 835 file; returns (outcome, parse error).

    Pass the file's `reading` when it was read before the transaction (so a retried transaction
    does not read it again, nor hold a connection while it is read); without it, it is read here.
    """
    store = RemittanceStore(session)
    if not await store.store_file(delivery_id, x12):
        return "duplicate_delivery", None
    reading = reading or await read_era_file(x12)
    if reading.error is not None:
        await store.set_file_outcome(delivery_id, "parse_error", reading.error)
        return "parse_error", reading.error
    with collector_paused():
        outcomes = [await post_remittance(session, delivery_id, index, remittance)
                    for index, remittance in enumerate(reading.remittances)]
    outcome = outcomes[0] if len(set(outcomes)) == 1 else "mixed"
    await store.set_file_outcome(delivery_id, outcome)
    return outcome, None


async def post_remittance(session: AsyncSession, delivery_id: str, index: int, remittance: Remittance) -> str:
    """Route and post one ST/SE transaction; returns posted, partially_matched, unmatched, held, unrouted or
    duplicate."""
    store, postings = RemittanceStore(session), PostingStore(session)
    era_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"era:{delivery_id}:{index}"))
    balance_errors = find_balance_errors(remittance)
    payee = payee_of(remittance)
    routed = route(payee, await postings.payee_owners(payee.identifiers()))
    era = {
        "era_id": era_id, "delivery_id": delivery_id, "transaction_index": index,
        "payer_identifier": payer_identifier_of(remittance),
        "payer_name": remittance.payer.name[:120], "trace_number": remittance.trace.trace_number,
        "total_paid": remittance.payment.total_paid, "payment_method": remittance.payment.method,
        "payment_date": remittance.payment.payment_date, "claims_total": len(remittance.claims),
        "tenant_id": routed.tenant_id, "payee_name": payee.name, "payee_npi": payee.npi, "payee_tin": payee.tin,
        "status": "held" if balance_errors else UNROUTED if routed.tenant_id is None else "received",
        "hold_reason": "; ".join(filter(None, [routed.reason, balance_hold_reason(balance_errors)])) or None,
        "warnings": [{"segment_index": w.segment_index, "segment_id": w.segment_id, "element": w.element,
                      "reason": w.reason} for w in remittance.warnings],
    }
    if not await store.add_era(era):
        return "duplicate"
    if balance_errors or routed.tenant_id is None:
        return era["status"]
    return await post_routed(session, era_id, delivery_id, index, remittance, routed.tenant_id)


async def post_routed(session: AsyncSession, era_id: str, delivery_id: str, index: int, remittance: Remittance,
                      tenant_id: str) -> str:
    """Post a balanced ERA transaction of tenant_id's to its billed claims: one statement per table."""
    store, postings = RemittanceStore(session), PostingStore(session)
    numbers = {claim.patient_control_number for claim in remittance.claims}
    await postings.lock_claim_numbers(numbers)  # see RemittanceStore.lock_claim_numbers: the 835 race
    billed = await postings.billed_claims_by_number(tenant_id, numbers)
    other_payee = other_payee_reason(remittance, {b["billing_provider_npi"] for b in billed.values()
                                                  if b["billing_provider_npi"]})
    if other_payee is not None:
        # Held ERAs release their trace number, so the payer's file for the right payee can still post.
        await store.update_era(era_id, status="held", hold_reason=other_payee)
        return "held"
    batch = PostingBatch()
    matched = await post_claim_payments(postings, era_id, delivery_id, index, remittance,
                                        list(enumerate(remittance.claims)), billed, batch)
    await write_batch(postings, batch)
    await post_provider_adjustments(store, era_id, payer_identifier_of(remittance), remittance, tenant_id)
    status = _era_status(matched, len(remittance.claims))
    await store.update_era(era_id, status=status, claims_matched=matched)
    return status


async def register_submitted_claim(session: AsyncSession, event: ClaimSubmitted, envelope: EventEnvelope) -> None:
    """Remember what was billed, then post any claim payment of the tenant's that arrived before the claim did."""
    store, postings = RemittanceStore(session), PostingStore(session)
    await postings.lock_claim_numbers({event.patient_control_number})  # see lock_claim_numbers: the 835 race
    await store.upsert_billed_claim({
        "claim_id": envelope.claim_id, "tenant_id": envelope.tenant_id,
        "patient_control_number": event.patient_control_number, "payer_id": event.payer_id,
        "claim_version": event.claim_version, "submission_id": event.submission_id, "billed": event.total_charge,
        "lines": [line.model_dump(mode="json") for line in event.lines], "status": "submitted",
        "billing_provider_npi": event.billing_provider_npi, "patient_account_number": event.patient_account_number})
    await store.add_billed_version({
        "claim_id": envelope.claim_id, "claim_version": event.claim_version, "tenant_id": envelope.tenant_id,
        "payer_id": event.payer_id, "frequency_code": event.frequency_code, "submission_id": event.submission_id,
        "billed": event.total_charge, "lines": [line.model_dump(mode="json") for line in event.lines]})
    billed = (await postings.billed_claims_by_number(envelope.tenant_id, {event.patient_control_number}))[
        event.patient_control_number]
    for waiting in await store.unposted_era_claims(envelope.tenant_id, event.patient_control_number):
        await post_waiting_claim(session, waiting, billed)


async def post_waiting_claim(session: AsyncSession, waiting: dict, billed: dict) -> str | None:
    """Post a claim payment that waited unposted to the billed claim (of the ERA's tenant); the hold reason
    when it cannot be."""
    store, postings = RemittanceStore(session), PostingStore(session)
    remittance = await stored_remittance(store, waiting["delivery_id"], waiting["transaction_index"])
    claim = remittance.claims[waiting["claim_index"]]
    batch = PostingBatch()
    reason = other_payee_reason(remittance, {billed["billing_provider_npi"]} - {None})
    if reason is None:
        posted = await post_claim_payments(
            postings, str(waiting["era_id"]), waiting["delivery_id"], waiting["transaction_index"], remittance,
            [(waiting["claim_index"], claim)], {claim.patient_control_number: billed}, batch)
        reason = None if posted else batch.era_claims[-1]["hold_reason"]
    else:
        batch.era_claims.append(era_claim_row(str(waiting["era_id"]), waiting["claim_index"], claim,
                                              billed["claim_id"], None, posted=False, hold_reason=reason))
    await write_batch(postings, batch)
    if reason is not None:
        return reason
    era = await store.era(str(waiting["era_id"]))
    matched = era["claims_matched"] + 1
    await store.update_era(str(waiting["era_id"]), claims_matched=matched,
                           status=_era_status(matched, era["claims_total"]))
    return None


def payer_identifier_of(remittance: Remittance) -> str:
    """Who paid: TRN03 (the payer's company id), else N1*PR's identifier."""
    return remittance.trace.originating_company_id or remittance.payer.identifier


def _era_status(matched: int, total: int) -> str:
    if matched == total:
        return "posted"
    return "unmatched" if matched == 0 else "partially_matched"


def balance_hold_reason(errors: list[BalanceError]) -> str | None:
    """Why an unbalanced transaction is held: its first 20 balancing failures."""
    return "; ".join(_describe(e) for e in errors[:20]) or None


def _describe(error: BalanceError) -> str:
    """A balancing failure by rule, position and amounts (no PHI)."""
    where = f"ST {error.transaction_control_number}"
    if error.claim_index is not None:
        where += f" claim {error.claim_index + 1}"
    if error.line_index is not None:
        where += f" line {error.line_index + 1}"
    return (f"{error.rule}: {where} at segment {error.segment_index} ({SEGMENT_OF_RULE[error.rule]}) "
            f"expected {error.expected} found {error.actual}")
