"""A patient's ledger across their claims: what insurance paid and wrote off, what the patient owes and paid.

Only an adjudicated claim can make the patient owe anything: patient responsibility comes from the
payer's PR adjustments, never from an open balance. What no payer has decided yet stays
`insurance_pending`, so a statement never bills the patient for it. Per claim, to the cent:

    charges = insurance_paid + adjustments + patient_responsibility + insurance_pending

and for the patient: patient_due = patient_responsibility - payments + refunds (negative: a credit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from shared.errors import DomainError

ZERO = Decimal("0.00")
ADJUDICATED = frozenset({"paid", "partially_paid", "denied"})


class PatientTransactionRefused(DomainError):
    """A patient payment or refund that cannot be taken (amount, or a refund beyond the patient's credit)."""


@dataclass(frozen=True, slots=True)
class ClaimCharges:
    """One billed claim of the patient with its posted totals."""

    claim_id: str
    date_of_service: dt.date
    payer_id: str
    status: str
    procedures: tuple[str, ...]
    charges: Decimal
    insurance_paid: Decimal
    adjustments: Decimal  # written off: CO, OA, PI (not PR)
    patient_responsibility: Decimal

    @property
    def insurance_pending(self) -> Decimal:
        """What is still with the payer: charges no payer has paid, written off or passed to the patient."""
        return self.charges - self.insurance_paid - self.adjustments - self.patient_responsibility

    @property
    def adjudicated(self) -> bool:
        """A payer decided the claim (a reversed claim waits for its correction)."""
        return self.status in ADJUDICATED


@dataclass(frozen=True, slots=True)
class PatientTransaction:
    transaction_id: str
    kind: str  # payment or refund
    amount: Decimal
    method: str
    received_on: dt.date


@dataclass(frozen=True, slots=True)
class PatientLedger:
    claims: tuple[ClaimCharges, ...]
    transactions: tuple[PatientTransaction, ...]

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(c, name) for c in self.claims), ZERO)

    @property
    def charges(self) -> Decimal:
        return self._sum("charges")

    @property
    def insurance_paid(self) -> Decimal:
        return self._sum("insurance_paid")

    @property
    def adjustments(self) -> Decimal:
        return self._sum("adjustments")

    @property
    def patient_responsibility(self) -> Decimal:
        return self._sum("patient_responsibility")

    @property
    def insurance_pending(self) -> Decimal:
        return self._sum("insurance_pending")

    @property
    def payments(self) -> Decimal:
        return sum((t.amount for t in self.transactions if t.kind == "payment"), ZERO)

    @property
    def refunds(self) -> Decimal:
        return sum((t.amount for t in self.transactions if t.kind == "refund"), ZERO)

    @property
    def patient_due(self) -> Decimal:
        """What the patient owes now; negative is a credit the practice holds."""
        return self.patient_responsibility - self.payments + self.refunds


def check_transaction(ledger: PatientLedger, kind: str, amount: Decimal) -> None:
    """Refuse a non-positive amount, amounts beyond cents, and a refund larger than the patient's credit."""
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise PatientTransactionRefused("amount must be positive with at most two decimals")
    if kind == "refund" and amount > -ledger.patient_due:
        credit = max(-ledger.patient_due, ZERO)
        raise PatientTransactionRefused(f"a refund may not exceed the patient's credit of {credit}")

