"""A claim ready for the 837P: the encounter plus the control numbers the submission service assigned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.submission.domain.cob_adjudication import PriorPayerAdjudication, billed_coverage
from services.submission.domain.errors import ClaimNotRepresentable, InvalidBillableClaim
from services.submission.domain.x12_values import x12_identifier
from shared.contracts.encounter import Coverage, Encounter

PATIENT_CONTROL_NUMBER_MAX = 20  # CLM01 is AN 1-20 in the X222A1 TR3
REFERENCE_MAX = 50  # REF02 is AN 1-50


class ClaimFrequency(StrEnum):
    """CLM05-3: whether the claim is new, replaces an adjudicated claim, or voids one."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


@dataclass(frozen=True, slots=True)
class BillableClaim:
    """A professional claim and its control numbers, billed to the primary or, after its 835, the secondary."""

    patient_control_number: str
    frequency_code: ClaimFrequency
    encounter: Encounter
    line_control_numbers: Sequence[str]
    payer_claim_control_number: str | None = None
    prior_payer_adjudication: PriorPayerAdjudication | None = None  # the primary's 835, when billing the secondary

    def __post_init__(self) -> None:
        # Coerce so callers may pass "7" or a list; the instance stays immutable afterwards.
        try:
            frequency = ClaimFrequency(self.frequency_code)
        except ValueError:
            raise InvalidBillableClaim(
                "frequency_code must be 1 (original), 7 (replacement) or 8 (void)"
            ) from None
        object.__setattr__(self, "frequency_code", frequency)
        object.__setattr__(self, "line_control_numbers", tuple(self.line_control_numbers))
        if self.encounter.claim_type != "professional":
            raise InvalidBillableClaim("only professional encounters are billed on an 837P")
        check_identifier(self.patient_control_number, "patient_control_number", PATIENT_CONTROL_NUMBER_MAX)
        self._check_payer_claim_control_number(frequency)
        self._check_line_control_numbers()
        self._check_prior_payer_adjudication()

    def _check_prior_payer_adjudication(self) -> None:
        adjudication = self.prior_payer_adjudication
        if adjudication is None:
            return
        billed_coverage(self.encounter, self.prior_payer_adjudication)  # raises without a secondary
        charges = {
            number: line.charge
            for number, line in zip(self.line_control_numbers, self.encounter.service_lines, strict=True)
        }
        adjudication.check_balances(self.total_charge, charges)

    def _check_payer_claim_control_number(self, frequency: ClaimFrequency) -> None:
        if frequency is ClaimFrequency.ORIGINAL:
            if self.payer_claim_control_number is not None:
                raise InvalidBillableClaim(
                    "an original claim (frequency 1) has no payer_claim_control_number"
                )
            return
        if self.payer_claim_control_number is None:
            raise InvalidBillableClaim(
                f"a frequency {frequency.value} claim needs the payer_claim_control_number it corrects"
            )
        check_identifier(self.payer_claim_control_number, "payer_claim_control_number", REFERENCE_MAX)

    def _check_line_control_numbers(self) -> None:
        check_line_control_numbers(self.line_control_numbers, len(self.encounter.service_lines))

    @property
    def total_charge(self) -> Decimal:
        """CLM02: the exact sum of the line charges."""
        return self.encounter.total_charge

    @property
    def billed_coverage(self) -> Coverage:
        """The destination payer's coverage: secondary once the primary has adjudicated, else primary."""
        return billed_coverage(self.encounter, self.prior_payer_adjudication)


def check_line_control_numbers(numbers: Sequence[str], lines: int) -> None:
    """One REF*6R per line, each a valid identifier, none repeated (837P and 837I alike)."""
    if len(numbers) != lines:
        raise InvalidBillableClaim(f"line_control_numbers has {len(numbers)} entries for {lines} service lines")
    for index, number in enumerate(numbers):
        check_identifier(number, f"line_control_numbers[{index}]", REFERENCE_MAX)
    if len(set(numbers)) != lines:
        # REF*6R is how an 835 line is matched back to ours: duplicates would make that ambiguous.
        raise InvalidBillableClaim("line_control_numbers must be unique within a claim")


def check_identifier(value: str, name: str, max_length: int) -> None:
    """value fits an X12 identifier element of max_length, or InvalidBillableClaim naming the field."""
    try:
        x12_identifier(value, name, max_length)
    except ClaimNotRepresentable as error:
        raise InvalidBillableClaim(str(error)) from None
