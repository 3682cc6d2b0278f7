"""A claim ready for the 837I: an institutional encounter, the facility facts a UB-04 needs, control numbers.

InstitutionalDetails holds what the 837I needs beyond the professional fields. institutional_encounter
fills it from the Encounter contract's institutional fields; facts the contract does not carry (CL101
admission type, CL102 source, the admitting diagnosis, revenue-code-only lines) the caller adds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from services.submission.domain.billable_claim import (
    PATIENT_CONTROL_NUMBER_MAX,
    REFERENCE_MAX,
    check_identifier,
    check_line_control_numbers,
)
from services.submission.domain.cob_adjudication import PriorPayerAdjudication, billed_coverage
from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.x12_values import CENTS
from shared.contracts.encounter import ICD10CM, MODIFIER, PROCEDURE, Coverage, Encounter, IndividualProvider

_TYPE_OF_BILL = re.compile(r"^0?([1-9])([0-9])([0-9A-Z])$")  # NUBC: facility type, bill class, frequency
_REVENUE_CODE = re.compile(r"^\d{4}$")  # NUBC revenue codes: four digits (0100-0999, 1000-1005, 2100-3109)
_TWO_DIGITS = re.compile(r"^\d{2}$")
_ONE_CHARACTER = re.compile(r"^[0-9A-Z]$")
_NDC = re.compile(r"^\d{11}$")  # the 5-4-2 NDC without hyphens
_FREQUENCIES_NEEDING_PAYER_CCN = frozenset({"5", "7", "8"})  # late charge, replacement, void
INPATIENT_BILL_CLASSES = frozenset({"1", "2"})  # UB-04 bill classification: inpatient (Part A / Part B)


@dataclass(frozen=True, slots=True)
class InstitutionalLine:
    """One UB-04 line: revenue code, optional HCPCS/CPT, charge and units."""

    revenue_code: str
    charge: Decimal
    units: Decimal
    procedure_code: str | None = None
    modifiers: Sequence[str] = ()
    unit_basis: Literal["UN", "DA"] = "UN"  # DA (days) for accommodation lines
    service_date: dt.date | None = None
    ndc: str | None = None  # 2410 LIN*N4 when a drug was given
    ndc_quantity: Decimal | None = None
    ndc_unit: Literal["F2", "GR", "ME", "ML", "UN"] = "UN"

    def __post_init__(self) -> None:
        object.__setattr__(self, "modifiers", tuple(self.modifiers))
        charge = Decimal(self.charge)
        if charge <= 0 or charge != charge.quantize(CENTS):
            raise InvalidBillableClaim("institutional line charge must be positive whole cents")
        object.__setattr__(self, "charge", charge)
        units = Decimal(self.units)
        if not 0 < units <= 9999999:
            raise InvalidBillableClaim("institutional line units must be positive")
        object.__setattr__(self, "units", units)
        if not _REVENUE_CODE.match(self.revenue_code):
            raise InvalidBillableClaim("revenue_code must be four digits")
        if self.procedure_code is not None and not re.match(PROCEDURE, self.procedure_code):
            raise InvalidBillableClaim("procedure_code must be a CPT or HCPCS Level II code")
        if self.modifiers and self.procedure_code is None:
            raise InvalidBillableClaim("modifiers need a procedure_code")
        if len(self.modifiers) > 4 or not all(re.match(MODIFIER, m) for m in self.modifiers):
            raise InvalidBillableClaim("at most four two-character modifiers")
        if self.unit_basis not in ("UN", "DA"):
            raise InvalidBillableClaim("unit_basis must be UN or DA")
        if (self.ndc is None) != (self.ndc_quantity is None):
            raise InvalidBillableClaim("ndc and ndc_quantity go together")
        if self.ndc is not None and not _NDC.match(self.ndc):
            raise InvalidBillableClaim("ndc must be the 11-digit NDC without hyphens")


@dataclass(frozen=True, slots=True)
class InstitutionalDetails:
    """The UB-04 facts of a facility claim that the professional Encounter does not hold."""

    type_of_bill: str  # e.g. 0111 inpatient admit-through-discharge, 0131 outpatient
    statement_from: dt.date
    statement_to: dt.date
    patient_status: str  # CL103, NUBC discharge status (01 home, 20 expired, 30 still patient, ...)
    lines: Sequence[InstitutionalLine]
    admission_at: dt.datetime | None = None  # DTP*435; required on inpatient claims
    admission_type: str | None = None  # CL101, NUBC priority of admission (1 emergency ... 9)
    admission_source: str | None = None  # CL102, NUBC point of origin
    discharge_hour: dt.time | None = None  # DTP*096 on an inpatient claim that ends with the discharge
    admitting_diagnosis: str | None = None  # HI*ABJ
    attending_provider: IndividualProvider | None = None  # 2310A
    medical_record_number: str | None = field(default=None)  # REF*EA

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        if not _TYPE_OF_BILL.match(self.type_of_bill):
            raise InvalidBillableClaim("type_of_bill must be NUBC facility type, bill class and frequency")
        if not self.lines:
            raise InvalidBillableClaim("an institutional claim needs at least one line")
        if len(self.lines) > 999:
            raise InvalidBillableClaim("at most 999 lines fit one 837I claim")
        if self.statement_to < self.statement_from:
            raise InvalidBillableClaim("statement_to must not be before statement_from")
        if not _TWO_DIGITS.match(self.patient_status):
            raise InvalidBillableClaim("patient_status must be the two-digit NUBC code")
        if self.admission_type is not None and not _ONE_CHARACTER.match(self.admission_type):
            raise InvalidBillableClaim("admission_type must be one NUBC character")
        if self.admission_source is not None and not _ONE_CHARACTER.match(self.admission_source):
            raise InvalidBillableClaim("admission_source must be one NUBC character")
        if self.admitting_diagnosis is not None and not re.match(ICD10CM, self.admitting_diagnosis):
            raise InvalidBillableClaim("admitting_diagnosis must be an ICD-10-CM code")
        if self.is_inpatient and (self.admission_at is None or self.admission_type is None):
            # The X223A2 TR3 requires DTP*435 and CL101 on every inpatient claim.
            raise InvalidBillableClaim("an inpatient claim needs admission_at and admission_type")
        if self.medical_record_number is not None:
            check_identifier(self.medical_record_number, "medical_record_number", REFERENCE_MAX)

    @property
    def facility_type_code(self) -> str:
        """CLM05-1: the type of bill's facility type and bill classification (0111 -> 11)."""
        return self._type_of_bill_parts()[0] + self._type_of_bill_parts()[1]

    @property
    def frequency_code(self) -> str:
        """CLM05-3: the type of bill's last character (0111 -> 1)."""
        return self._type_of_bill_parts()[2]

    @property
    def is_inpatient(self) -> bool:
        """True for inpatient bill classifications (0111, 0121, 0211, ...)."""
        return self._type_of_bill_parts()[1] in INPATIENT_BILL_CLASSES

    @property
    def total_charge(self) -> Decimal:
        """CLM02: the exact sum of the line charges."""
        return sum((line.charge for line in self.lines), Decimal("0.00")).quantize(CENTS)

    def _type_of_bill_parts(self) -> tuple[str, str, str]:
        match = _TYPE_OF_BILL.match(self.type_of_bill)
        assert match is not None  # checked in __post_init__
        return match.group(1), match.group(2), match.group(3)


@dataclass(frozen=True, slots=True)
class InstitutionalClaim:
    """One institutional encounter billed on an 837I, with its claim and line control numbers."""

    patient_control_number: str
    encounter: Encounter
    details: InstitutionalDetails
    line_control_numbers: Sequence[str]
    payer_claim_control_number: str | None = None
    prior_payer_adjudication: PriorPayerAdjudication | None = None  # the primary's 835, when billing the secondary

    def __post_init__(self) -> None:
        object.__setattr__(self, "line_control_numbers", tuple(self.line_control_numbers))
        if self.encounter.claim_type != "institutional":
            raise InvalidBillableClaim("only institutional encounters are billed on an 837I")
        check_identifier(self.patient_control_number, "patient_control_number", PATIENT_CONTROL_NUMBER_MAX)
        frequency = self.details.frequency_code
        if frequency in _FREQUENCIES_NEEDING_PAYER_CCN and self.payer_claim_control_number is None:
            raise InvalidBillableClaim(f"a frequency {frequency} claim needs the payer_claim_control_number")
        if self.payer_claim_control_number is not None:
            check_identifier(self.payer_claim_control_number, "payer_claim_control_number", REFERENCE_MAX)
        check_line_control_numbers(self.line_control_numbers, len(self.details.lines))
        if self.prior_payer_adjudication is not None:
            billed_coverage(self.encounter, self.prior_payer_adjudication)  # raises without a secondary
            charges = {
                number: line.charge for number, line in zip(self.line_control_numbers, self.details.lines, strict=True)
            }
            self.prior_payer_adjudication.check_balances(self.total_charge, charges)

    @property
    def total_charge(self) -> Decimal:
        """CLM02: the exact sum of the institutional line charges."""
        return self.details.total_charge

    @property
    def billed_coverage(self) -> Coverage:
        """The destination payer's coverage: secondary once the primary has adjudicated, else primary."""
        return billed_coverage(self.encounter, self.prior_payer_adjudication)
