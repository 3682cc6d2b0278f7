"""A claim's money as intake learns it from claim.remittance_posted events.

    balance = billed - paid - adjusted        (what is still owed, by the payer or the patient)
    adjusted = every non-patient adjustment   (contractual, payer-initiated, other: written off)
    patient_responsibility                    (the part of the balance the patient owes)

A reversal (CLP02 = 22) carries the original posting negated, so adding every posting's amounts
gives the net; billed is the charge the payer last adjudicated, and a reversal leaves it as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.events.claim_events import RemittancePosted

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class BalanceChange:
    """What one posting adds to the claim's running amounts; billed is None when it keeps the old one."""

    billed: Decimal | None
    paid: Decimal
    adjusted: Decimal
    patient_responsibility: Decimal


def remittance_change(event: RemittancePosted) -> BalanceChange:
    """The posting's effect on the claim's amounts."""
    adjustments = sum((adjustment.amount for adjustment in event.adjustments), Decimal("0"))
    return BalanceChange(
        billed=None if event.claim_status == "reversed" else event.billed.quantize(CENTS),
        paid=event.paid.quantize(CENTS),
        adjusted=(adjustments - event.patient_responsibility).quantize(CENTS),
        patient_responsibility=event.patient_responsibility.quantize(CENTS),
    )
