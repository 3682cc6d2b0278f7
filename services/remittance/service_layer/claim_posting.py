"""Post one 835 claim payment to its claim: a payment, a reversal of an earlier one, or a crossover.

Entries, the claim's status, the claim.remittance_posted event and, when the claim goes on to the
next coverage, claim.secondary_billing_ready are written in the caller's one transaction.
"""

from __future__ import annotations

from services.remittance.adapters.repository import RemittanceStore
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
)
from services.remittance.service_layer.stored_eras import stored_remittance
from shared.events.claim_events import PostedAdjustment, RemittancePosted
from shared.events.remittance_events import AdjudicatedAdjustment, AdjudicatedLine, ClaimSecondaryBillingReady
from shared.messaging.outbox import envelope_for

SOURCE = "remittance"


class ClaimHeld(Exception):
    """The claim payment cannot be posted as sent; the reason names codes and positions, never PHI."""


async def post_claim(store: RemittanceStore, era_id: str, claim_index: int, claim: ClaimPayment,
                     billed: dict, remittance: Remittance) -> str:
    """Post one claim payment and announce it; returns the outcome, or raises ClaimHeld."""
    await store.lock_claim(billed["claim_id"])  # before reading the encounter: see lock_claim
    billed = await billed_version(store, billed, claim)
    billed_lines = billed_lines_of(billed)
    claim_id, tenant_id = billed["claim_id"], billed["tenant_id"]
    # Who adjudicated is the ERA's payer (TRN03, else N1*PR): a crossover's secondary answers our version 1 too.
    era_payer = remittance.trace.originating_company_id or remittance.payer.identifier
    adjudication = Adjudication(era_id, era_payer, billed["claim_version"])
    in_force_now = True
    if claim.status_code == codes.STATUS_REVERSAL:
        original_era_id, original = await _original_posting(store, billed, claim, billed_lines)
        posting = reverse_posting(original, claim)
        original_rows = await store.ledger_rows(claim_id, original_era_id)
        reversed_adjudication = next((adjudication_of(r) for r in original_rows if r["offsets_era_id"] is None),
                                     Adjudication(original_era_id, era_payer, billed["claim_version"]))
        rows = offset_rows(claim_id, tenant_id, era_id, reversal_offsets(
            reversed_adjudication, original.entries, offsets_appended_by(original_rows)))
        # Reversing an adjudication a replacement had already superseded changes nothing in force.
        in_force_now = reversed_adjudication in in_force(posted_entries(await store.ledger_rows(claim_id)))
    else:
        posting = post_claim_payment(claim, billed_lines)
        offsets = offsets_for(adjudication, claim.status_code, posting.entries,
                              posted_entries(await store.ledger_rows(claim_id)))
        # A late answer to an earlier version is superseded as it posts: it changes neither status nor billing.
        in_force_now = not any(o.adjudication == adjudication for o in offsets)
        rows = [*entry_rows(claim_id, tenant_id, era_id, adjudication, posting.entries),
                *offset_rows(claim_id, tenant_id, era_id, offsets)]
    await store.add_entries(rows)
    outcome = posting.outcome.value
    await store.add_era_claim(era_claim_row(era_id, claim_index, claim, claim_id, outcome, posted=True,
                                            forwarded=posting.forwarded, claim_version=billed.get("claim_version")))
    if not in_force_now:
        # Superseded (as it posts, or before its reversal): announcing its outcome would make the paid claim
        # look denied or reversed downstream (intake's status, denials); the era_claims row and entries keep it.
        return outcome
    await store.set_claim_status(claim_id, outcome, forwarded=posting.forwarded)
    events = [envelope_for(_posted_event(era_id, claim, posting, billed["payer_id"] or remittance.payer.identifier),
                           source=SOURCE, claim_id=claim_id, tenant_id=tenant_id)]
    encounter = await store.encounter(claim_id)
    priorities = [c["priority"] for c in encounter["coverages"]] if encounter else []
    next_priority = next_payer_priority(claim, posting, priorities)
    if next_priority is not None:
        event = _secondary_event(era_id, claim, posting, next_priority, billed, remittance)
        events.append(envelope_for(event, source=SOURCE, claim_id=claim_id, tenant_id=tenant_id))
    await store.record(claim_id, events)
    return outcome


async def bill_next_coverage_late(store: RemittanceStore, claim_id: str, tenant_id: str) -> None:
    """Emit the secondary billing a payment could not, because it was posted before the encounter was known."""
    billed, latest = await store.billed_claim(tenant_id, claim_id), await store.latest_posted_payment(claim_id)
    encounter = await store.encounter(claim_id)
    if billed is None or latest is None or encounter is None or await store.recorded_event_for_era(
            claim_id, ClaimSecondaryBillingReady.event_type, str(latest["era_id"])):
        return
    remittance = await stored_remittance(store, latest["delivery_id"], latest["transaction_index"])
    claim = remittance.claims[latest["claim_index"]]
    if claim.status_code == codes.STATUS_REVERSAL:
        return
    billed = await billed_version(store, billed, claim)
    posting = post_claim_payment(claim, billed_lines_of(billed))
    next_priority = next_payer_priority(claim, posting, [c["priority"] for c in encounter["coverages"]])
    if next_priority is not None:
        event = _secondary_event(str(latest["era_id"]), claim, posting, next_priority, billed, remittance)
        await store.record(claim_id, [envelope_for(event, source=SOURCE, claim_id=claim_id, tenant_id=tenant_id)])


async def _original_posting(store: RemittanceStore, billed: dict, reversal: ClaimPayment,
                            billed_lines: list[BilledLine]) -> tuple[str, ClaimPosting]:
    """The posting a CLP02=22 reverses, with its ERA: the oldest posted payment of its CLP07 not reversed yet."""
    payments = await store.posted_payments_of(billed["claim_id"], reversal.payer_claim_control_number)
    originals = [p for p in payments if p["status_code"] != codes.STATUS_REVERSAL]
    reversals = [p for p in payments if p["status_code"] == codes.STATUS_REVERSAL]
    if len(originals) <= len(reversals):
        raise ClaimHeld(f"reversal at segment {reversal.segment_index} (CLP): no posted payment of this "
                        "payer claim control number is left to reverse")
    original = originals[len(reversals)]
    sent = await stored_remittance(store, original["delivery_id"], original["transaction_index"])
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


def _secondary_event(era_id: str, claim: ClaimPayment, posting: ClaimPosting, next_priority: str, billed: dict,
                     remittance: Remittance) -> ClaimSecondaryBillingReady:
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
