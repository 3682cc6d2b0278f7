"""Payer adjudication rules: how a simulated payer answers a claim, line by line.

Every result balances as TR3 1.10.2 asks: per line charge = paid + sum of CAS, per claim
charge - paid = sum of CAS. The CO-45 contractual write-off is charge minus allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tools.clearinghouse.claims import REPLACEMENT, ServiceLine, SubmittedClaim
from tools.clearinghouse.payer_rules import DenyRules, PayerConfig, PayRules

CENTS = Decimal("0.01")
ZERO = Decimal("0")
PRIMARY, DENIED, REVERSAL = "1", "4", "22"
CONTRACTUAL, PATIENT = "CO", "PR"
DEDUCTIBLE, COINSURANCE, COPAY, OVER_FEE_SCHEDULE = "1", "2", "3", "45"


class UnbalancedRemittance(AssertionError):
    """An adjudication does not balance; the simulator must never send it."""


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS reason and amount."""

    group: str  # CAS01: CO, PR, OA, PI
    reason: str  # CARC
    amount: Decimal


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """The payer's answer to one service line: one SVC with its CAS, AMT*B6 and LQ."""

    line: ServiceLine
    charge: Decimal
    allowed: Decimal
    paid: Decimal
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...] = ()  # RARCs for LQ*HE

    @property
    def patient_responsibility(self) -> Decimal:
        """Sum of the PR adjustments."""
        return sum((a.amount for a in self.adjustments if a.group == PATIENT), ZERO)


@dataclass(frozen=True, slots=True)
class ClaimAdjudication:
    """The payer's answer to one claim: one CLP with its service lines."""

    claim: SubmittedClaim
    payer_claim_control_number: str
    status_code: str  # CLP02
    charge: Decimal
    lines: tuple[LineAdjudication, ...]

    @property
    def paid(self) -> Decimal:
        """CLP04."""
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def patient_responsibility(self) -> Decimal:
        """CLP05."""
        return sum((line.patient_responsibility for line in self.lines), ZERO)


def adjudicate(
    claim: SubmittedClaim, payer: PayerConfig, payer_claim_control_number: str
) -> ClaimAdjudication | None:
    """The payer's answer to a claim, or None for a payer that only acknowledges."""
    rules = payer.adjudication
    if isinstance(rules, PayRules):
        lines = tuple(_pay_line(line, index, rules) for index, line in enumerate(claim.lines))
        status = PRIMARY
    elif isinstance(rules, DenyRules):
        lines = tuple(_deny_line(line, index, claim, rules) for index, line in enumerate(claim.lines))
        status = DENIED if all(line.allowed == ZERO for line in lines) else PRIMARY
    else:
        return None
    result = ClaimAdjudication(claim, payer_claim_control_number, status, claim.lines_total, lines)
    check_balanced(result)
    return result


def reverse(original: ClaimAdjudication) -> ClaimAdjudication:
    """The CLP02=22 reversal that takes back an earlier adjudication (every amount negated)."""
    lines = tuple(
        LineAdjudication(
            line=line.line,
            charge=-line.charge,
            allowed=-line.allowed,
            paid=-line.paid,
            adjustments=tuple(Adjustment(a.group, a.reason, -a.amount) for a in line.adjustments),
            remarks=line.remarks,
        )
        for line in original.lines
    )
    reversal = ClaimAdjudication(
        original.claim, original.payer_claim_control_number, REVERSAL, -original.charge, lines
    )
    check_balanced(reversal)
    return reversal


def check_balanced(result: ClaimAdjudication) -> None:
    """Raise UnbalancedRemittance unless the line and claim balancing rules hold."""
    for line in result.lines:
        if line.charge != line.paid + sum((a.amount for a in line.adjustments), ZERO):
            raise UnbalancedRemittance(f"line {line.line.line_number} does not balance")
    adjusted = sum((a.amount for line in result.lines for a in line.adjustments), ZERO)
    if result.charge - result.paid != adjusted:
        raise UnbalancedRemittance("claim charge - paid differs from the sum of adjustments")


def _pay_line(line: ServiceLine, index: int, rules: PayRules) -> LineAdjudication:
    allowed = _cents(line.charge * rules.allowed_fraction)
    remaining = allowed
    patient: list[Adjustment] = []
    if line.procedure_code in rules.deductible_procedure_codes and rules.deductible > 0:
        deductible = min(rules.deductible, remaining)
        remaining -= deductible
        patient.append(Adjustment(PATIENT, DEDUCTIBLE, deductible))
    if index == 0 and rules.copay > 0:
        copay = min(rules.copay, remaining)
        remaining -= copay
        patient.append(Adjustment(PATIENT, COPAY, copay))
    elif index > 0 and rules.coinsurance_rate > 0:
        coinsurance = _cents(remaining * rules.coinsurance_rate)
        remaining -= coinsurance
        patient.append(Adjustment(PATIENT, COINSURANCE, coinsurance))
    contractual = [Adjustment(CONTRACTUAL, OVER_FEE_SCHEDULE, line.charge - allowed)]
    adjustments = tuple(a for a in contractual + patient if a.amount != 0)
    return LineAdjudication(line, line.charge, allowed, remaining, adjustments)


def _deny_line(line: ServiceLine, index: int, claim: SubmittedClaim, rules: DenyRules) -> LineAdjudication:
    coding = next((rule for rule in rules.coding_denials if rule.fires_on(line)), None)
    if coding is not None:
        reason, remark = coding.reason, coding.remark
    elif rules.prior_authorization_required and not claim.prior_authorization:
        reason, remark = rules.no_authorization_reason, rules.no_authorization_remark
    elif claim.frequency_code == REPLACEMENT and rules.corrected_claims is not None:
        return _pay_line(line, index, rules.corrected_claims)
    else:
        reason, remark = rules.reason, rules.remark
    adjustment = Adjustment(CONTRACTUAL, reason, line.charge)
    return LineAdjudication(line, line.charge, ZERO, ZERO, (adjustment,), (remark,))


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)
