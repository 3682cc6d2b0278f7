"""Posting math: turn one 835 claim payment into ledger entries, an outcome and balanced totals.

See posting_model for the ledger equation. Every amount is quantized to cents as its entry is
made; totals are sums of entries, so the equation holds exactly rather than approximately.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from services.remittance.domain import adjustment_codes as codes
from services.remittance.domain.era_model import Adjustment, ClaimPayment, ServiceLine
from services.remittance.domain.errors import ReversalMismatchError
from services.remittance.domain.line_matching import BilledLine, LineMatch, match_lines
from services.remittance.domain.posting_model import (
    PATIENT_KINDS,
    ClaimOutcome,
    ClaimPosting,
    EntryKind,
    LinePosting,
    PostingEntry,
    PostingTotals,
)

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")
_GROUP_KINDS = {
    codes.CONTRACTUAL_OBLIGATION: EntryKind.CONTRACTUAL,
    codes.PAYER_INITIATED: EntryKind.PAYER_INITIATED,
    codes.OTHER_ADJUSTMENT: EntryKind.OTHER_ADJUSTMENT,
    codes.CORRECTION_REVERSAL: EntryKind.OTHER_ADJUSTMENT,
}
_PATIENT_KINDS_BY_REASON = {
    codes.DEDUCTIBLE: EntryKind.DEDUCTIBLE,
    codes.COINSURANCE: EntryKind.COINSURANCE,
    codes.COPAY: EntryKind.COPAY,
}


def to_cents(amount: Decimal) -> Decimal:
    """Amount rounded half-up to whole cents."""
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


def entry_kind(group_code: str, reason_code: str) -> EntryKind:
    """Ledger bucket of a CAS adjustment: PR splits by CARC 1/2/3, CARC 23 is the prior payers' part,
    other groups map one to one."""
    if group_code == codes.PATIENT_RESPONSIBILITY:
        return _PATIENT_KINDS_BY_REASON.get(reason_code, EntryKind.OTHER_PATIENT_RESPONSIBILITY)
    if reason_code == codes.PRIOR_PAYER_ADJUDICATION:
        return EntryKind.PRIOR_PAYER
    return _GROUP_KINDS[group_code]


def is_denial(entry: PostingEntry) -> bool:
    """True for an adjustment that refuses money rather than pricing the service or billing the patient."""
    return (
        entry.group_code is not None
        and entry.group_code != codes.PATIENT_RESPONSIBILITY
        and entry.reason_code not in codes.PRICING_REASON_CODES
    )


def post_claim_payment(claim: ClaimPayment, billed_lines: Sequence[BilledLine]) -> ClaimPosting:
    """Post one 835 claim payment against the lines we billed for that claim."""
    matching = match_lines(claim, billed_lines)
    lines = tuple(
        _post_line(index, line, matching.match_for(index)) for index, line in enumerate(claim.lines)
    )
    line_paid = sum((e.amount for line in lines for e in line.entries if e.kind is EntryKind.PAYMENT), ZERO)
    claim_entries: list[PostingEntry] = []
    # CLP04 can differ from the line payments when the payer adjusts at claim level after pricing
    # the lines (and a claim without lines is paid as a whole): post the difference at claim level.
    difference = to_cents(claim.paid) - line_paid
    if difference:
        claim_entries.append(PostingEntry(EntryKind.PAYMENT, difference, None, None))
    claim_entries.extend(_adjustment_entries(claim.adjustments, None, None))
    totals = _totals(
        to_cents(claim.total_charge), [*claim_entries, *(e for line in lines for e in line.entries)]
    )
    return ClaimPosting(
        claim.patient_control_number,
        claim.payer_claim_control_number,
        claim.status_code,
        claim_outcome(claim.status_code, lines, totals),
        claim.status_code in codes.STATUS_FORWARDED or claim.party(codes.CROSSOVER_CARRIER) is not None,
        tuple(claim_entries),
        lines,
        matching,
        totals,
        tuple(claim.remark_codes),
    )


def claim_outcome(status_code: str, lines: Sequence[LinePosting], totals: PostingTotals) -> ClaimOutcome:
    """Decide the outcome, first rule that applies wins.

    reversed: CLP02 = 22.
    denied: CLP02 = 4, or the payer paid nothing and nothing moved to the patient.
    partially_paid: something was allowed (paid or patient responsibility) but money was refused:
        a line is denied (charged, paid 0, no patient responsibility) or any CO/OA/PI/CR
        adjustment carries a CARC that is not a pricing reduction (e.g. CO-50, CO-97, OA-18).
    paid: every reduction is pricing (CO-45, sequestration, ...) or patient responsibility; paid
        may be zero when the whole allowed amount went to the deductible.
    """
    if status_code == codes.STATUS_REVERSAL:
        return ClaimOutcome.REVERSED
    if status_code == codes.STATUS_DENIED or (totals.paid == 0 and totals.patient_responsibility == 0):
        return ClaimOutcome.DENIED
    if totals.denied > 0 or any(line.denied for line in lines):
        return ClaimOutcome.PARTIALLY_PAID
    return ClaimOutcome.PAID


def reverse_posting(original: ClaimPosting, reversal: ClaimPayment) -> ClaimPosting:
    """Posting of a CLP02=22 reversal: exactly the original posting's entries, negated."""
    if reversal.status_code != codes.STATUS_REVERSAL:
        raise ReversalMismatchError("claim payment is not a reversal (CLP02 must be 22)")
    if reversal.payer_claim_control_number != original.payer_claim_control_number:
        raise ReversalMismatchError(
            f"reversal CLP07 {reversal.payer_claim_control_number} does not match the original "
            f"{original.payer_claim_control_number}"
        )
    if (
        to_cents(reversal.paid) != -original.totals.paid
        or to_cents(reversal.total_charge) != -original.totals.billed
    ):
        raise ReversalMismatchError(
            f"reversal of {original.payer_claim_control_number} does not negate the original charge and paid"
        )
    return ClaimPosting(
        reversal.patient_control_number,
        reversal.payer_claim_control_number,
        reversal.status_code,
        ClaimOutcome.REVERSED,
        original.forwarded,
        tuple(e.negated() for e in original.claim_entries),
        tuple(line.negated() for line in original.lines),
        original.matching,
        original.totals.negated(),
        tuple(reversal.remark_codes),
    )


def _post_line(index: int, line: ServiceLine, match: LineMatch | None) -> LinePosting:
    control_number = match.billed.line_control_number if match else None
    entries: list[PostingEntry] = []
    paid = to_cents(line.paid)
    if paid:
        entries.append(PostingEntry(EntryKind.PAYMENT, paid, index, control_number))
    entries.extend(_adjustment_entries(line.adjustments, index, control_number))
    patient = sum((e.amount for e in entries if e.kind in PATIENT_KINDS), ZERO)
    return LinePosting(
        index,
        match.billed if match else None,
        match.method if match else None,
        tuple(entries),
        tuple(line.remark_codes),
        denied=line.charge != 0 and paid == 0 and patient == 0,
    )


def _adjustment_entries(
    adjustments: Iterable[Adjustment], line_index: int | None, control_number: str | None
) -> list[PostingEntry]:
    entries = []
    for adjustment in adjustments:
        amount = to_cents(adjustment.amount)
        if amount:  # some payers send CAS*CO*45*0; a zero entry moves nothing
            kind = entry_kind(adjustment.group_code, adjustment.reason_code)
            entries.append(
                PostingEntry(
                    kind, amount, line_index, control_number, adjustment.group_code, adjustment.reason_code
                )
            )
    return entries


def _totals(billed: Decimal, entries: list[PostingEntry]) -> PostingTotals:
    by_kind = dict.fromkeys(EntryKind, ZERO)
    denied = ZERO
    for entry in entries:
        by_kind[entry.kind] += entry.amount
        if is_denial(entry):
            denied += entry.amount
    return PostingTotals(
        billed=billed,
        paid=by_kind[EntryKind.PAYMENT],
        contractual=by_kind[EntryKind.CONTRACTUAL],
        deductible=by_kind[EntryKind.DEDUCTIBLE],
        coinsurance=by_kind[EntryKind.COINSURANCE],
        copay=by_kind[EntryKind.COPAY],
        other_patient_responsibility=by_kind[EntryKind.OTHER_PATIENT_RESPONSIBILITY],
        payer_initiated=by_kind[EntryKind.PAYER_INITIATED],
        other_adjustments=by_kind[EntryKind.OTHER_ADJUSTMENT],
        prior_payer=by_kind[EntryKind.PRIOR_PAYER],
        denied=denied,
        unexplained=billed - sum(by_kind.values(), ZERO),
    )
