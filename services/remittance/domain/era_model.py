"""What an 835 (005010X221A1) says, as plain typed values: one `Remittance` per ST/SE transaction.

The parser fills these in one pass, so containers are mutable slots dataclasses; treat them as
read-only once `parse_835` returns. Person names, member ids and other claim references are PHI:
those fields are excluded from repr (and so from str and from any error built from a repr).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

LINE_CONTROL_NUMBER = "6R"
ALLOWED_AMOUNT = "B6"
SERVICE_DATE = "472"
SERVICE_PERIOD_START = "150"
SERVICE_PERIOD_END = "151"
STATEMENT_PERIOD_START = "232"
STATEMENT_PERIOD_END = "233"
CLAIM_RECEIVED = "050"


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the ISA and GS around a transaction say about it."""

    interchange_control_number: str
    group_control_number: str
    sender_id: str
    receiver_id: str


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS reason/amount/quantity triple with the group code of its segment."""

    group_code: str
    reason_code: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """An SVC01/SVC06 composite: qualifier (HC, NU, AD, N4, ...), code and modifiers."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    """A REF segment; the value may be a member id or record number, so it stays out of repr."""

    qualifier: str
    value: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RemarkCode:
    """A RARC from LQ (qualifier HE) or an NCPDP reject code (RX); MIA/MOA remarks use HE."""

    qualifier: str
    code: str


@dataclass(frozen=True, slots=True)
class Address:
    lines: tuple[str, ...]
    city: str
    state: str
    postal_code: str
    country: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """A PER segment: function (BL technical, CX business, IC web site), name, then qualifier/number pairs."""

    function_code: str
    name: str
    numbers: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class Party:
    """Payer (N1*PR) or payee (N1*PE) with its address, references and contacts."""

    entity_code: str
    name: str
    id_qualifier: str = ""
    identifier: str = ""
    address: Address | None = None
    references: list[Reference] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    segment_index: int = -1  # of its N1, so a hold can name the segment (0-based from ISA)

    def reference(self, qualifier: str) -> str | None:
        """Value of the first REF with this qualifier (2U payer id, TJ payee tax id, ...)."""
        return next((r.value for r in self.references if r.qualifier == qualifier), None)


@dataclass(frozen=True, slots=True)
class ClaimParty:
    """An NM1 in loop 2100: QC patient, IL insured, 74 corrected insured, 82 rendering, TT crossover."""

    entity_code: str
    entity_type: str
    id_qualifier: str
    identifier: str = field(repr=False)
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    middle_name: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class PaymentInstruction:
    """BPR: how much moved, how, and when (bank account numbers are deliberately not kept).

    payment_date is None when BPR16 is absent or not a date: the transaction then carries a
    ParseWarning saying so, and nothing downstream substitutes a date of its own.
    """

    handling_code: str
    total_paid: Decimal
    credit_debit: str
    method: str
    format_code: str
    payment_date: dt.date | None


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something in a transaction we could not read but that posting does not depend on.

    Names the segment (0-based index from ISA, and id), the element and the reason, never the
    value: the value of some elements is PHI, and the position is enough to find it in the stored file.
    """

    segment_index: int
    segment_id: str
    element: str
    reason: str

    def __str__(self) -> str:
        return f"{self.element} {self.reason} (segment {self.segment_index} {self.segment_id})"


@dataclass(frozen=True, slots=True)
class Trace:
    """TRN: the check or EFT trace number; with the payer id it identifies the ERA for duplicate checks."""

    trace_type: str
    trace_number: str
    originating_company_id: str
    originating_company_supplemental: str = ""


@dataclass(slots=True)
class ServiceLine:
    """Loop 2110: one service line as the payer adjudicated it."""

    segment_index: int
    procedure: ProcedureCode
    charge: Decimal
    paid: Decimal
    revenue_code: str
    units: Decimal
    submitted_procedure: ProcedureCode | None
    submitted_units: Decimal | None
    dates: dict[str, dt.date] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    quantities: dict[str, Decimal] = field(default_factory=dict)
    remark_codes: list[RemarkCode] = field(default_factory=list)

    @property
    def control_number(self) -> str | None:
        """REF*6R: the line item control number we sent in the 837, echoed back."""
        return next((r.value for r in self.references if r.qualifier == LINE_CONTROL_NUMBER), None)

    @property
    def allowed_amount(self) -> Decimal | None:
        """AMT*B6: the payer's allowed amount for the line."""
        return self.amounts.get(ALLOWED_AMOUNT)

    @property
    def service_date(self) -> dt.date | None:
        """DTM*472, else the start of the DTM*150/151 period."""
        return self.dates.get(SERVICE_DATE) or self.dates.get(SERVICE_PERIOD_START)


@dataclass(slots=True)
class ClaimPayment:
    """Loop 2100: one claim as the payer adjudicated it (CLP and what follows it)."""

    segment_index: int
    header_number: str | None
    patient_control_number: str
    status_code: str
    total_charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    filing_indicator: str
    payer_claim_control_number: str
    facility_code: str
    frequency_code: str
    adjustments: list[Adjustment] = field(default_factory=list)
    parties: list[ClaimParty] = field(default_factory=list)
    remark_codes: list[RemarkCode] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    dates: dict[str, dt.date] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    quantities: dict[str, Decimal] = field(default_factory=dict)
    lines: list[ServiceLine] = field(default_factory=list)
    # MIA / MOA elements as sent (covered days, DRG, outlier and ESRD amounts...): reported, not posted.
    inpatient_adjudication: tuple[str, ...] | None = None
    outpatient_adjudication: tuple[str, ...] | None = None

    def party(self, entity_code: str) -> ClaimParty | None:
        """The NM1 with this entity code (QC, IL, 82, TT, ...) if the payer sent one."""
        return next((p for p in self.parties if p.entity_code == entity_code), None)


@dataclass(slots=True)
class ProviderSummary:
    """LX header number with its TS3 (and TS2) provider summary, kept as sent."""

    segment_index: int
    header_number: str
    provider_summary: tuple[str, ...] | None = None
    supplemental_summary: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB adjustment pair; a positive amount is money the payer takes back from the provider."""

    segment_index: int
    provider_id: str
    fiscal_period_date: dt.date
    reason_code: str
    reference_id: str
    amount: Decimal


@dataclass(slots=True)
class Remittance:
    """One 835 transaction set: payment, payer, payee, claims and provider-level adjustments."""

    interchange_control_number: str
    group_control_number: str
    transaction_control_number: str
    segment_index: int
    sender_id: str
    receiver_id: str
    payment: PaymentInstruction
    trace: Trace
    payer: Party
    payee: Party
    production_date: dt.date | None = None
    references: list[Reference] = field(default_factory=list)
    provider_summaries: list[ProviderSummary] = field(default_factory=list)
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    @property
    def adjudication_date(self) -> dt.date | None:
        """BPR16 (check issue or EFT effective date), else DTM*405 (the payer's production date)."""
        return self.payment.payment_date or self.production_date
