"""TR3 section 1.10.2 balancing: every amount in an 835 must be explained by the amounts under it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.remittance.domain.era_model import ClaimPayment, Remittance

ZERO = Decimal(0)


class BalanceRule(StrEnum):
    SERVICE_LINE = "service_line"  # SVC02 - SVC03 = sum of line CAS
    CLAIM = "claim"  # CLP03 - CLP04 = sum of claim CAS + sum of line CAS
    TRANSACTION = "transaction"  # BPR02 = sum of CLP04 - sum of PLB amounts


@dataclass(frozen=True, slots=True)
class BalanceError:
    """One failed balancing rule: where it fails, the amount the rule expects and what the file adds up to."""

    rule: BalanceRule
    transaction_control_number: str
    segment_index: int
    claim_index: int | None
    patient_control_number: str | None
    payer_claim_control_number: str | None
    line_index: int | None
    expected: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        """Expected minus actual."""
        return self.expected - self.actual

    def __str__(self) -> str:
        where = f"ST {self.transaction_control_number}"
        if self.claim_index is not None:
            where += (
                f" claim {self.claim_index} ({self.patient_control_number}/{self.payer_claim_control_number})"
            )
        if self.line_index is not None:
            where += f" line {self.line_index}"
        return f"{self.rule.value} out of balance at {where}: expected {self.expected}, actual {self.actual}"


def find_balance_errors(remittance: Remittance) -> list[BalanceError]:
    """Every TR3 1.10.2 balancing rule the transaction breaks, innermost first; empty when it balances."""
    errors: list[BalanceError] = []
    st = remittance.transaction_control_number
    for claim_index, claim in enumerate(remittance.claims):
        errors.extend(_claim_errors(st, claim_index, claim))
    payment = remittance.payment
    # BPR03 D means the provider owes the payer: the claims and PLBs net to a negative amount.
    expected = payment.total_paid if payment.credit_debit != "D" else -payment.total_paid
    actual = sum((c.paid for c in remittance.claims), ZERO) - sum(
        (a.amount for a in remittance.provider_adjustments), ZERO
    )
    if expected != actual:
        bpr_index = remittance.segment_index + 1  # the parser insists BPR follows ST
        errors.append(
            BalanceError(BalanceRule.TRANSACTION, st, bpr_index, None, None, None, None, expected, actual)
        )
    return errors


def _claim_errors(st: str, claim_index: int, claim: ClaimPayment) -> list[BalanceError]:
    errors = []
    pcn, ccn = claim.patient_control_number, claim.payer_claim_control_number
    line_adjustments = ZERO
    for line_index, line in enumerate(claim.lines):
        adjusted = sum((a.amount for a in line.adjustments), ZERO)
        line_adjustments += adjusted
        if line.charge - line.paid != adjusted:
            errors.append(
                BalanceError(
                    BalanceRule.SERVICE_LINE, st, line.segment_index, claim_index, pcn, ccn, line_index,
                    line.charge - line.paid, adjusted,
                )
            )  # fmt: skip
    adjusted = sum((a.amount for a in claim.adjustments), ZERO) + line_adjustments
    if claim.total_charge - claim.paid != adjusted:
        errors.append(
            BalanceError(
                BalanceRule.CLAIM, st, claim.segment_index, claim_index, pcn, ccn, None,
                claim.total_charge - claim.paid, adjusted,
            )
        )  # fmt: skip
    return errors
