"""The encounter a practice-management system posts to intake: the product's public contract.

Field names follow ../shared/examples/encounter.json and may be added to, never renamed.
Structural rules (formats, counts, pointer ranges) live here so every way in (REST, FHIR, 837)
validates the same way; code-set rules (ICD-10-CM billability) live in intake's validation.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.contracts.npi import is_valid_npi

ZIP = r"^\d{5}(\d{4})?$"
STATE = r"^[A-Z]{2}$"
TAXONOMY = r"^[0-9]{3}[A-Z0-9]{6}X$"
ICD10CM = r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"
PROCEDURE = r"^([0-9]{4}[0-9A-Z]|[A-V][0-9]{4})$"  # CPT (5 chars, Cat II/III end in F/T) or HCPCS II
MODIFIER = r"^[0-9A-Z]{2}$"
MONEY_CENTS = Decimal("0.01")


class Contract(BaseModel):
    """Strict base: unknown fields are refused, never dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Address(Contract):
    line1: str = Field(min_length=1, max_length=55)
    line2: str | None = Field(default=None, max_length=55)
    city: str = Field(min_length=2, max_length=30)
    state: str = Field(pattern=STATE, description="USPS two-letter state code")
    postal_code: str = Field(pattern=ZIP, description="5- or 9-digit ZIP, digits only")


Sex = Literal["F", "M", "U"]


class Person(Contract):
    first_name: str = Field(min_length=1, max_length=35)
    last_name: str = Field(min_length=1, max_length=60)
    date_of_birth: dt.date
    sex: Sex
    address: Address


class Patient(Person):
    account_number: str = Field(min_length=1, max_length=38, description="the practice's patient account number")


class Payer(Contract):
    payer_id: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9]+$")
    name: str = Field(min_length=1, max_length=60)


ClaimFilingIndicator = Literal[
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB",
    "MC", "OF", "TV", "VA", "WC", "ZZ",
]
Relationship = Literal["self", "spouse", "child", "other"]


class Coverage(Contract):
    priority: Literal["primary", "secondary", "tertiary"]
    payer: Payer
    member_id: str = Field(min_length=2, max_length=80)
    group_number: str | None = Field(default=None, max_length=50)
    claim_filing_indicator: ClaimFilingIndicator = Field(description="X12 SBR09 claim filing indicator code")
    relationship: Relationship = Field(description="the patient's relationship to the subscriber")
    subscriber: Person | None = None

    @model_validator(mode="after")
    def _subscriber_when_not_self(self) -> Coverage:
        if self.relationship != "self" and self.subscriber is None:
            raise ValueError("subscriber is required when relationship is not self")
        return self


def _npi(value: str) -> str:
    if not is_valid_npi(value):
        raise ValueError("NPI must be 10 digits with a valid check digit")
    return value


Npi = Annotated[str, Field(pattern=r"^\d{10}$")]


class BillingProvider(Contract):
    npi: Npi
    tax_id: str = Field(pattern=r"^\d{9}$", description="EIN, nine digits")
    organization_name: str = Field(min_length=1, max_length=60)
    taxonomy: str = Field(pattern=TAXONOMY)
    address: Address

    _check_npi = field_validator("npi")(_npi)

    @field_validator("address")
    @classmethod
    def _nine_digit_zip(cls, address: Address) -> Address:
        if len(address.postal_code) != 9:
            raise ValueError("the billing provider's postal_code must be the 9-digit ZIP")
        return address


class IndividualProvider(Contract):
    npi: Npi
    first_name: str = Field(min_length=1, max_length=35)
    last_name: str = Field(min_length=1, max_length=60)
    taxonomy: str | None = Field(default=None, pattern=TAXONOMY)

    _check_npi = field_validator("npi")(_npi)


class ServiceFacility(Contract):
    npi: Npi | None = None
    name: str = Field(min_length=1, max_length=60)
    address: Address

    @field_validator("npi")
    @classmethod
    def _facility_npi(cls, value: str | None) -> str | None:
        return None if value is None else _npi(value)


class ServiceLine(Contract):
    procedure_code: str = Field(pattern=PROCEDURE, description="CPT or HCPCS Level II code")
    modifiers: list[Annotated[str, Field(pattern=MODIFIER)]] = Field(default_factory=list, max_length=4)
    units: Decimal = Field(gt=0, le=9999, decimal_places=3)
    charge: Decimal = Field(gt=0, max_digits=10, decimal_places=2, description="line charge, dollars")
    diagnosis_pointers: list[Annotated[int, Field(ge=1, le=12)]] = Field(min_length=1, max_length=4)
    date_of_service: dt.date | None = Field(default=None, description="defaults to the claim's date")


class Encounter(Contract):
    """One visit, as the PMS knows it; becomes one claim."""

    external_id: str = Field(min_length=1, max_length=64, description="the PMS's id; unique per tenant")
    claim_type: Literal["professional", "institutional"]
    date_of_service: dt.date
    place_of_service: str = Field(pattern=r"^\d{2}$")
    patient: Patient
    coverages: list[Coverage] = Field(min_length=1, max_length=3)
    billing_provider: BillingProvider
    rendering_provider: IndividualProvider | None = None
    referring_provider: IndividualProvider | None = None
    service_facility: ServiceFacility | None = None
    prior_authorization: str | None = Field(default=None, max_length=50)
    diagnoses: list[Annotated[str, Field(pattern=ICD10CM)]] = Field(min_length=1, max_length=12)
    service_lines: list[ServiceLine] = Field(min_length=1, max_length=50)
    clinical_note: str | None = Field(default=None, max_length=100_000)

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Encounter:
        priorities = [c.priority for c in self.coverages]
        if priorities.count("primary") != 1:
            raise ValueError("exactly one coverage must be primary")
        if len(set(priorities)) != len(priorities):
            raise ValueError("each coverage priority may appear only once")
        if len(set(self.diagnoses)) != len(self.diagnoses):
            raise ValueError("diagnoses must not repeat")
        for index, line in enumerate(self.service_lines):
            if max(line.diagnosis_pointers) > len(self.diagnoses):
                raise ValueError(f"service_lines[{index}] points past the {len(self.diagnoses)} diagnoses")
        return self

    @property
    def primary_coverage(self) -> Coverage:
        return next(c for c in self.coverages if c.priority == "primary")

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.service_lines), Decimal("0.00")).quantize(MONEY_CENTS)


def normalise_icd10(code: str) -> str:
    """ICD-10-CM as billed in X12: upper case, no dot."""
    return re.sub(r"\.", "", code.upper())
