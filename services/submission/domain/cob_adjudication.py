"""What the prior payer's 835 said about a claim, carried onto the claim billed to the next payer (COB)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from services.submission.domain.errors import ClaimNotRepresentable, InvalidBillableClaim
from services.submission.domain.x12_values import CENTS, x12_identifier, x12_text
from shared.contracts.encounter import Coverage, Encounter

ADJUSTMENT_GROUPS = frozenset({"CO", "CR", "OA", "PI", "PR"})  # CAS01 in both the X222A1 and X223A2 TR3s
ADJUSTMENTS_PER_CAS = 6  # CAS holds six reason/amount/quantity trios
_REASON_CODE = re.compile(r"^[A-Z0-9]{1,5}$")  # CARC values: 1-5 characters (e.g. 45, 253, B7, P12)
PATIENT_RESPONSIBILITY = "PR"


class CasAdjustment(NamedTuple):
    """One adjustment as the 835 reported it: group code, CARC reason code and amount."""

    group: str
    reason: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PriorLineAdjudication:
    """The prior payer's verdict on one of our lines, matched by its REF*6R line control number."""

    line_control_number: str
    paid: Decimal
    adjustments: Sequence[CasAdjustment] = ()
    paid_units: Decimal | None = None  # SVD05; the billed units when the 835 did not say

    def __post_init__(self) -> None:
        object.__setattr__(self, "paid", _money(self.paid, "line paid"))
        object.__setattr__(self, "adjustments", _adjustments(self.adjustments, "line adjustments"))
        if self.paid_units is not None:
            object.__setattr__(self, "paid_units", Decimal(self.paid_units))

    @property
    def patient_liability(self) -> Decimal:
        """The line's PR adjustments: what the patient still owes after this payer."""
        return _patient_share(self.adjustments)


@dataclass(frozen=True, slots=True)
class PriorPayerAdjudication:
    """The primary payer's adjudication of the claim (from its 835), for the secondary's 2320/2430 loops."""

    payer_id: str  # 2330B NM109 and every 2430 SVD01
    payer_name: str
    paid_total: Decimal  # 2320 AMT*D
    adjudication_date: dt.date  # DTP*573
    claim_adjustments: Sequence[CasAdjustment] = ()  # 2320 CAS
    lines: Sequence[PriorLineAdjudication] = ()  # 2430 per line; empty when the 835 had claim level only
    claim_control_number: str | None = None  # the 835's CLP07, sent back as 2330B REF*F8

    def __post_init__(self) -> None:
        try:
            x12_identifier(self.payer_id, "prior_payer.payer_id", 80, min_length=2)
            x12_text(self.payer_name, "prior_payer.payer_name", 60)
            if self.claim_control_number is not None:
                x12_identifier(self.claim_control_number, "prior_payer.claim_control_number", 50)
        except ClaimNotRepresentable as error:
            raise InvalidBillableClaim(str(error)) from None
        object.__setattr__(self, "paid_total", _money(self.paid_total, "prior_payer.paid_total"))
        object.__setattr__(
            self, "claim_adjustments", _adjustments(self.claim_adjustments, "prior_payer.claim_adjustments")
        )
        lines = tuple(
            line if isinstance(line, PriorLineAdjudication) else PriorLineAdjudication(*line) for line in self.lines
        )
        object.__setattr__(self, "lines", lines)
        numbers = [line.line_control_number for line in lines]
        if len(set(numbers)) != len(numbers):
            raise InvalidBillableClaim("prior_payer.lines names a line control number twice")

    @property
    def has_line_detail(self) -> bool:
        """True when the 835 adjudicated line by line (2430 loops are written)."""
        return bool(self.lines)

    @property
    def patient_liability(self) -> Decimal:
        """Remaining patient liability: every PR adjustment, claim and line level."""
        return _patient_share(self.claim_adjustments) + sum(
            (line.patient_liability for line in self.lines), Decimal("0.00")
        )

    def line_for(self, line_control_number: str) -> PriorLineAdjudication | None:
        """The adjudication of our line with that REF*6R, if the payer reported it."""
        return next((line for line in self.lines if line.line_control_number == line_control_number), None)

    def check_balances(self, claim_charge: Decimal, line_charges: Mapping[str, Decimal]) -> None:
        """Raise unless the amounts balance as the TR3 requires for 2320 and 2430.

        Per line: SV102/SV203 charge - line CAS = SVD02 paid. Per claim: CLM02 charge - claim CAS -
        every line CAS = AMT*D paid (so AMT*D also equals the SVD02 sum less the claim-level CAS).
        """
        unknown = [line.line_control_number for line in self.lines if line.line_control_number not in line_charges]
        if unknown:
            raise InvalidBillableClaim("prior_payer.lines names a line control number the claim does not have")
        if self.lines and len(self.lines) != len(line_charges):
            # A line the payer never reported would leave its charge unbalanced in the 2320 arithmetic.
            raise InvalidBillableClaim("prior_payer.lines must adjudicate every service line or none")
        for index, line in enumerate(self.lines):
            adjusted = sum((a.amount for a in line.adjustments), Decimal("0.00"))
            if line_charges[line.line_control_number] - adjusted != line.paid:
                raise InvalidBillableClaim(f"prior_payer.lines[{index}]: charge less adjustments must equal paid")
        claim_adjusted = sum((a.amount for a in self.claim_adjustments), Decimal("0.00"))
        line_adjusted = sum((a.amount for line in self.lines for a in line.adjustments), Decimal("0.00"))
        if claim_charge - claim_adjusted - line_adjusted != self.paid_total:
            raise InvalidBillableClaim("prior_payer: claim charge less all adjustments must equal paid_total")


def billed_coverage(encounter: Encounter, adjudication: PriorPayerAdjudication | None) -> Coverage:
    """The destination payer: the primary, or the secondary once the primary has adjudicated."""
    if adjudication is None:
        return encounter.primary_coverage
    secondary = next((c for c in encounter.coverages if c.priority == "secondary"), None)
    if secondary is None:
        raise InvalidBillableClaim("a claim carrying the primary's adjudication needs a secondary coverage")
    return secondary


def _patient_share(adjustments: Sequence[CasAdjustment]) -> Decimal:
    return sum((a.amount for a in adjustments if a.group == PATIENT_RESPONSIBILITY), Decimal("0.00"))


def _money(value: Decimal | str | int, field: str) -> Decimal:
    amount = Decimal(value)
    if amount != amount.quantize(CENTS):
        raise InvalidBillableClaim(f"{field} must be whole cents")
    return amount.quantize(CENTS)


def _adjustments(values: Sequence[CasAdjustment | tuple[str, str, Decimal]], field: str) -> tuple[CasAdjustment, ...]:
    adjustments = tuple(CasAdjustment(group, reason, _money(amount, field)) for group, reason, amount in values)
    for adjustment in adjustments:
        if adjustment.group not in ADJUSTMENT_GROUPS:
            raise InvalidBillableClaim(f"{field}: group must be one of {', '.join(sorted(ADJUSTMENT_GROUPS))}")
        if not _REASON_CODE.match(adjustment.reason):
            raise InvalidBillableClaim(f"{field}: reason must be a 1-5 character claim adjustment reason code")
    for group in {a.group for a in adjustments}:
        if sum(1 for a in adjustments if a.group == group) > ADJUSTMENTS_PER_CAS:
            # One CAS per group keeps the 835's grouping; more than six reasons would need a repeat.
            raise InvalidBillableClaim(f"{field}: at most {ADJUSTMENTS_PER_CAS} reasons per group")
    return adjustments
