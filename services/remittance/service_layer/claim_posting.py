"""Post one 835 claim payment to its claim, in memory: a payment, a reversal of an earlier one, or a crossover.

The claim's book (what was billed, posted and announced so far) is read beforehand with every other claim
of the file (service_layer/posting_batch); each posting appends its entries, its era_claims row, the
claim's status and its events (claim.remittance_posted, and claim.secondary_billing_ready when the claim
goes on to the next coverage) to the batch, and updates the book, so a later claim payment of the same
file (a reversal and its correction, say) sees it. The batch is written in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.remittance.domain import adjustment_codes as codes
from services.remittance.domain.adjudications import Adjudication, in_force, offsets_for, reversal_offsets
from services.remittance.domain.era_model import Adjustment, ClaimPayment, Remittance
from services.remittance.domain.errors import ReversalMismatchError
from services.remittance.domain.line_matching import BilledLine
from services.remittance.domain.posting import post_claim_payment, reverse_posting
from services.remittance.domain.posting_model import ClaimPosting, EntryKind
from services.remittance.domain.secondary_billing import next_payer_priority, prior_adjudication
from services.remittance.service_layer.adjudication_ledger import (
    adjudication_of,
    billed_lines_of,
    billed_version,
    entry_rows,
    offset_rows,
    offsets_appended_by,
    posted_entries,
    posted_versions_of,
)
from shared.events.claim_events import PostedAdjustment, RemittancePosted
from shared.events.envelope import EventEnvelope
from shared.events.remittance_events import AdjudicatedAdjustment, AdjudicatedLine, ClaimSecondaryBillingReady
from shared.messaging.outbox import envelope_for

SOURCE = "remittance"

class ClaimHeld(Exception):
    """The claim payment cannot be posted as sent; the reason names codes and positions, never PHI."""


@dataclass
class ClaimBook:
    """What posting reads about one billed claim, kept current as claim payments post to it."""

    billed: dict[str, Any]  # the billed_claims row
    versions: list[dict[str, Any]]  # billed_claim_versions rows, oldest first
    payments: list[dict[str, Any]]  # posted era_claims rows, oldest first, with delivery_id and transaction_index
    ledger: list[dict[str, Any]]  # ledger_entries rows in posting order
    coverage_priorities: list[str] | None  # the encounter's coverages in order; None while it is unknown


@dataclass
class PostingBatch:
    """Everything a file's postings write: one statement per table (see posting_batch.write_batch)."""

    era_claims: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[str, tuple[str, bool]] = field(default_factory=dict)  # claim id -> (status, forwarded)
    events: list[tuple[EventEnvelope, str | None]] = field(default_factory=list)  # with the claim's traceparent


@dataclass(frozen=True)
class EraPosting:
    """The ERA transaction being posted, and how to read an earlier one (a reversal's original)."""

    era_id: str
    delivery_id: str
    transaction_index: int
    remittance: Remittance
    transaction_of: Callable[[str, int], Remittance]  # (delivery id, transaction index) -> parsed transaction


def post_claim(book: ClaimBook, batch: PostingBatch, era: EraPosting, claim_index: int, claim: ClaimPayment) -> bool:
    """Post one claim payment to its claim's book; False when it is held (its era_claims row says why)."""
    try:
        _post(book, batch, era, claim_index, claim)
    except ClaimHeld as held:
        batch.era_claims.append(era_claim_row(era.era_id, claim_index, claim, book.billed["claim_id"], None,
                                              posted=False, hold_reason=str(held)))
        return False
    return True


def _post(book: ClaimBook, batch: PostingBatch, era: EraPosting, claim_index: int, claim: ClaimPayment) -> None:
    remittance = era.remittance
    billed = billed_version(book.billed, book.versions, posted_versions_of(book.payments), claim)
    billed_lines = billed_lines_of(billed)
    claim_id, tenant_id = billed["claim_id"], billed["tenant_id"]
    # Who adjudicated is the ERA's payer (TRN03, else N1*PR): a crossover's secondary answers our version 1 too.
    era_payer = remittance.trace.originating_company_id or remittance.payer.identifier
    adjudication = Adjudication(era.era_id, era_payer, billed["claim_version"])
    if claim.status_code == codes.STATUS_REVERSAL:
        original_era_id, original = _original_posting(book, era, claim, billed_lines)
        posting = reverse_posting(original, claim)
        original_rows = [row for row in book.ledger if str(row["era_id"]) == original_era_id]
        reversed_adjudication = next((adjudication_of(r) for r in original_rows if r["offsets_era_id"] is None),
                                     Adjudication(original_era_id, era_payer, billed["claim_version"]))
        rows = offset_rows(claim_id, tenant_id, era.era_id, reversal_offsets(
            reversed_adjudication, original.entries, offsets_appended_by(original_rows)))
        # Reversing an adjudication a replacement had already superseded changes nothing in force.
        in_force_now = reversed_adjudication in in_force(posted_entries(book.ledger))
    else:
        posting = post_claim_payment(claim, billed_lines)
        offsets = offsets_for(adjudication, claim.status_code, posting.entries, posted_entries(book.ledger))
        # A late answer to an earlier version is superseded as it posts: it changes neither status nor billing.
        in_force_now = not any(o.adjudication == adjudication for o in offsets)
        rows = [*entry_rows(claim_id, tenant_id, era.era_id, adjudication, posting.entries),
                *offset_rows(claim_id, tenant_id, era.era_id, offsets)]
    outcome = posting.outcome.value
    row = era_claim_row(era.era_id, claim_index, claim, claim_id, outcome, posted=True, forwarded=posting.forwarded,
                        claim_version=billed.get("claim_version"))
    book.ledger.extend(rows)
    book.payments.append(row | {"delivery_id": era.delivery_id, "transaction_index": era.transaction_index})
    batch.entries.extend(rows)
    batch.era_claims.append(row)
    if not in_force_now:
        # Superseded (as it posts, or before its reversal): announcing its outcome would make the paid claim
        # look denied or reversed downstream (intake's status, denials); the era_claims row and entries keep it.
        return
    forwarded = posting.forwarded or batch.statuses.get(claim_id, ("", False))[1]  # a crossover mark stays
    batch.statuses[claim_id] = (outcome, forwarded)
    payer_id = billed["payer_id"] or remittance.payer.identifier
    trace = billed.get("traceparent")  # each claim's events continue its own trace
    batch.events.append((envelope_for(_posted_event(era.era_id, claim, posting, payer_id),
                                      source=SOURCE, claim_id=claim_id, tenant_id=tenant_id), trace))
    next_priority = next_payer_priority(claim, posting, book.coverage_priorities or [])
    if next_priority is not None:
        event = secondary_event(era.era_id, claim, posting, next_priority, billed, remittance)
        batch.events.append((envelope_for(event, source=SOURCE, claim_id=claim_id, tenant_id=tenant_id), trace))


def _original_posting(book: ClaimBook, era: EraPosting, reversal: ClaimPayment,
                      billed_lines: list[BilledLine]) -> tuple[str, ClaimPosting]:
    """The posting a CLP02=22 reverses, with its ERA: the oldest posted payment of its CLP07 not reversed yet."""
    payments = [p for p in book.payments if p["payer_claim_control_number"] == reversal.payer_claim_control_number]
    originals = [p for p in payments if p["status_code"] != codes.STATUS_REVERSAL]
    reversals = [p for p in payments if p["status_code"] == codes.STATUS_REVERSAL]
    if len(originals) <= len(reversals):
        raise ClaimHeld(f"reversal at segment {reversal.segment_index} (CLP): no posted payment of this "
                        "payer claim control number is left to reverse")
    original = originals[len(reversals)]
    sent = era.transaction_of(original["delivery_id"], original["transaction_index"])
    posting = post_claim_payment(sent.claims[original["claim_index"]], billed_lines)
    try:
        reverse_posting(posting, reversal)
    except ReversalMismatchError as error:
        raise ClaimHeld(f"reversal at segment {reversal.segment_index} (CLP): {error}") from None
    return str(original["era_id"]), posting


def _posted_event(era_id: str, claim: ClaimPayment, posting: ClaimPosting, payer_id: str) -> RemittancePosted:
    totals = posting.totals
    return RemittancePosted(
        era_id=era_id, claim_status=posting.outcome.value, payer_id=payer_id,
        payer_claim_control_number=claim.payer_claim_control_number or None, billed=totals.billed,
        paid=totals.paid, patient_responsibility=totals.patient_responsibility,
        adjustments=[PostedAdjustment(line_control_number=e.line_control_number, group_code=e.group_code or "",
                                      reason_code=e.reason_code or "", amount=e.amount)
                     for e in posting.entries if e.kind is not EntryKind.PAYMENT],
        remark_codes=sorted({r.code for r in posting.remark_codes}
                            | {r.code for line in posting.lines for r in line.remark_codes}))


def _adjustments(adjustments: tuple[Adjustment, ...]) -> list[AdjudicatedAdjustment]:
    return [AdjudicatedAdjustment(group_code=a.group_code, reason_code=a.reason_code, amount=a.amount)
            for a in adjustments]


def secondary_event(era_id: str, claim: ClaimPayment, posting: ClaimPosting, next_priority: str, billed: dict,
                    remittance: Remittance) -> ClaimSecondaryBillingReady:
    """claim.secondary_billing_ready: the primary's adjudication, for the next coverage's claim."""
    prior = prior_adjudication(claim, posting, next_priority)
    adjudicated_on = remittance.adjudication_date
    assert adjudicated_on is not None  # parse_835 refuses a transaction with neither BPR16 nor DTM*405
    return ClaimSecondaryBillingReady(
        era_id=era_id, prior_payer_id=billed["payer_id"] or remittance.payer.identifier,
        prior_payer_name=remittance.payer.name[:60], prior_payer_claim_control_number=prior.payer_claim_control_number,
        adjudication_date=adjudicated_on, paid_total=prior.paid_total,
        claim_adjustments=_adjustments(prior.claim_adjustments),
        lines=[AdjudicatedLine(line_control_number=line.line_control_number, paid=line.paid,
                               paid_units=line.paid_units, adjustments=_adjustments(line.adjustments))
               for line in prior.lines],
        next_payer_priority=prior.next_payer_priority)


def era_claim_row(era_id: str, claim_index: int, claim: ClaimPayment, claim_id: str | None, outcome: str | None,
                  posted: bool, forwarded: bool = False, hold_reason: str | None = None,
                  claim_version: int | None = None) -> dict:
    """The era_claims row of one claim payment."""
    return {"era_id": era_id, "claim_index": claim_index, "claim_id": claim_id,
            "patient_control_number": claim.patient_control_number, "status_code": claim.status_code,
            "outcome": outcome, "billed": claim.total_charge, "paid": claim.paid,
            "patient_responsibility": claim.patient_responsibility,
            "payer_claim_control_number": claim.payer_claim_control_number or None, "posted": posted,
            "forwarded": forwarded, "hold_reason": hold_reason, "claim_version": claim_version}
