"""What the simulator reads out of an 837: interchange, transaction sets, claims and service lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

PROFESSIONAL_VERSION = "005010X222A1"
INSTITUTIONAL_VERSION = "005010X223A2"
SUPPORTED_837_VERSIONS = (PROFESSIONAL_VERSION, INSTITUTIONAL_VERSION)

ORIGINAL = "1"
REPLACEMENT = "7"
VOID = "8"


@dataclass(frozen=True, slots=True)
class PersonName:
    last: str
    first: str = ""


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """One 2400 line: SV1 (professional) or SV2 (institutional)."""

    line_number: int
    qualifier: str  # SV101-1 / SV202-1, "HC" for CPT/HCPCS; "NU" when only a revenue code is billed
    procedure_code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    units: Decimal
    revenue_code: str | None = None
    service_date: str | None = None  # CCYYMMDD, or CCYYMMDD-CCYYMMDD for a range
    line_control_number: str | None = None


@dataclass(frozen=True, slots=True)
class BillingProvider:
    name: str
    npi: str
    tax_id: str | None = None


@dataclass(frozen=True, slots=True)
class SubmittedClaim:
    """One 2300 claim with everything the acknowledgements and the 835 need to answer it."""

    transaction_set_control_number: str
    patient_control_number: str
    total_charge: Decimal
    facility_code: str  # CLM05-1: place of service (837P) or facility type (837I)
    frequency_code: str  # CLM05-3
    payer_id: str
    payer_name: str
    claim_filing_indicator: str  # SBR09
    billing_provider: BillingProvider
    subscriber: PersonName
    member_id: str
    patient: PersonName  # the subscriber when there is no 2000C patient loop
    patient_is_subscriber: bool
    lines: tuple[ServiceLine, ...]
    original_reference: str | None = None  # REF*F8, the payer claim control number being replaced
    prior_authorization: str | None = None  # REF*G1
    institutional: bool = False

    @property
    def lines_total(self) -> Decimal:
        """Sum of the line charges (TR3: must equal CLM02)."""
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def service_dates(self) -> tuple[str, str] | None:
        """First and last service date over the lines, CCYYMMDD."""
        dates = [d for line in self.lines if line.service_date for d in line.service_date.split("-")]
        return (min(dates), max(dates)) if dates else None


@dataclass(frozen=True, slots=True)
class TransactionSet:
    control_number: str
    submitter_name: str
    submitter_id: str
    batch_id: str  # BHT03
    claims: tuple[SubmittedClaim, ...]


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    functional_id: str  # GS01
    sender_code: str  # GS02
    receiver_code: str  # GS03
    control_number: str  # GS06
    version: str  # GS08
    transaction_sets: tuple[TransactionSet, ...] = ()


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """ISA fields the answers echo or swap."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    control_number: str  # ISA13
    usage_indicator: str  # ISA15, T or P


@dataclass(frozen=True, slots=True)
class Interchange:
    header: InterchangeHeader
    groups: tuple[FunctionalGroup, ...] = field(default_factory=tuple)

    @property
    def claims(self) -> tuple[SubmittedClaim, ...]:
        """Every claim in every transaction set, in file order."""
        return tuple(c for g in self.groups for ts in g.transaction_sets for c in ts.claims)
