"""What posting an 835 claim produces: entries per line, the claim outcome and the ledger totals.

Ledger equation (every amount quantized to cents before it is summed, so it holds to the cent):

    billed - paid - contractual - payer_initiated - other_adjustments - prior_payer = balance_after_posting
    balance_after_posting = patient_responsibility + unexplained

balance_after_posting is what stays open on the claim once the payer's money and write-offs are
applied; patient_responsibility (deductible + coinsurance + copay + other PR) moves to the
patient's balance; unexplained is billed minus every entry and is zero whenever the claim
balances (TR3 1.10.2), so a non-zero value is money nobody has accounted for.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from enum import StrEnum

from services.remittance.domain.era_model import RemarkCode
from services.remittance.domain.line_matching import BilledLine, LineMatching, MatchMethod


class EntryKind(StrEnum):
    PAYMENT = "payment"
    CONTRACTUAL = "contractual"  # CO
    DEDUCTIBLE = "deductible"  # PR-1
    COINSURANCE = "coinsurance"  # PR-2
    COPAY = "copay"  # PR-3
    OTHER_PATIENT_RESPONSIBILITY = "other_patient_responsibility"  # PR with any other CARC
    PAYER_INITIATED = "payer_initiated"  # PI
    OTHER_ADJUSTMENT = "other_adjustment"  # OA, and CR from payers still sending it
    # CARC 23 (OA/CO-23): the part of the charge an earlier payer already paid, wrote off or billed the
    # patient for. Posted so the later payer's 835 balances, never counted again: not a write-off.
    PRIOR_PAYER = "prior_payer"


PATIENT_KINDS = frozenset(
    {EntryKind.DEDUCTIBLE, EntryKind.COINSURANCE, EntryKind.COPAY, EntryKind.OTHER_PATIENT_RESPONSIBILITY}
)


class ClaimOutcome(StrEnum):
    """How the payer decided the claim; rules in posting.claim_outcome."""

    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    REVERSED = "reversed"


@dataclass(frozen=True, slots=True)
class PostingEntry:
    """One ledger movement on a claim: a payment or an adjustment (group code + CARC), in cents."""

    kind: EntryKind
    amount: Decimal
    line_index: int | None  # None: claim level (CLP/claim CAS)
    line_control_number: str | None  # the billed line it posts to, when matched
    group_code: str | None = None
    reason_code: str | None = None

    def negated(self) -> PostingEntry:
        """The entry that cancels this one."""
        return replace(self, amount=-self.amount)


@dataclass(frozen=True, slots=True)
class LinePosting:
    """Entries of one service line with the billed line it matched and its RARCs."""

    line_index: int
    billed_line: BilledLine | None
    match_method: MatchMethod | None
    entries: tuple[PostingEntry, ...]
    remark_codes: tuple[RemarkCode, ...]
    denied: bool  # charged, paid nothing, and nothing moved to the patient

    def negated(self) -> LinePosting:
        """The line posting that cancels this one."""
        return replace(self, entries=tuple(e.negated() for e in self.entries))


@dataclass(frozen=True, slots=True)
class PostingTotals:
    billed: Decimal
    paid: Decimal
    contractual: Decimal
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    other_patient_responsibility: Decimal
    payer_initiated: Decimal
    other_adjustments: Decimal
    prior_payer: Decimal  # CARC 23: what earlier payers decided, already in the ledger through their own 835
    denied: Decimal  # non-PR adjustments whose CARC is not a pricing reduction (subset, not additive)
    unexplained: Decimal

    @property
    def patient_responsibility(self) -> Decimal:
        """Everything moved to the patient's balance."""
        return self.deductible + self.coinsurance + self.copay + self.other_patient_responsibility

    @property
    def balance_after_posting(self) -> Decimal:
        """Billed minus payment, every non-patient adjustment and the prior payers' part."""
        return (self.billed - self.paid - self.contractual - self.payer_initiated - self.other_adjustments
                - self.prior_payer)

    def negated(self) -> PostingTotals:
        """Totals of the posting that cancels this one."""
        return PostingTotals(*(-getattr(self, f.name) for f in fields(self)))


@dataclass(frozen=True, slots=True)
class ClaimPosting:
    """Everything posting one 835 claim payment produces."""

    patient_control_number: str
    payer_claim_control_number: str
    status_code: str
    outcome: ClaimOutcome
    forwarded: bool  # CLP02 19/20/21 or a crossover carrier (NM1*TT): another payer will see it
    claim_entries: tuple[PostingEntry, ...]
    lines: tuple[LinePosting, ...]
    matching: LineMatching
    totals: PostingTotals
    remark_codes: tuple[RemarkCode, ...]  # claim-level RARCs (MIA/MOA)

    @property
    def entries(self) -> tuple[PostingEntry, ...]:
        """Claim-level entries then every line's entries, in line order."""
        return self.claim_entries + tuple(e for line in self.lines for e in line.entries)
