"""The people and organisations on an encounter: patient, coverages, payers and providers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.contracts.field_formats import NPI, STATE, TAX_ID, TAXONOMY, USPS_STATES, ZIP
from shared.contracts.npi import is_valid_npi
from shared.contracts.rule_errors import rule_failure, rule_failures


class Contract(BaseModel):
    """Strict base: unknown fields are refused, never dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _usps_state(code: str) -> str:
    if code not in USPS_STATES:
        raise rule_failure("must be a USPS state, DC, territory or military code")
    return code


def _npi_check_digit(value: str) -> str:
    if not is_valid_npi(value):
        raise rule_failure("must be an NPI whose last digit is its Luhn check digit (prefix 80840)")
    return value


def _tax_id(value: str) -> str:
    if value == "000000000":
        raise rule_failure("must not be all zeros")
    return value


UsState = Annotated[str, Field(pattern=STATE, json_schema_extra={"enum": sorted(USPS_STATES)}),
                    AfterValidator(_usps_state)]
Npi = Annotated[str, Field(pattern=NPI), AfterValidator(_npi_check_digit)]
Taxonomy = Annotated[str, Field(pattern=TAXONOMY)]


class Address(Contract):
    """A US postal address."""

    line1: str = Field(min_length=1, max_length=55, description="street address")
    line2: str | None = Field(default=None, max_length=55, description="suite, unit or floor")
    city: str = Field(min_length=2, max_length=30, description="city name")
    state: UsState = Field(description="USPS code: a state, DC, a territory or military mail (AA, AE, AP)")
    postal_code: str = Field(pattern=ZIP, description="5- or 9-digit ZIP, digits only")


Sex = Literal["F", "M", "U"]


class Person(Contract):
    """A patient or subscriber as the payer knows them."""

    first_name: str = Field(min_length=1, max_length=35, description="given name as on the insurance card")
    last_name: str = Field(min_length=1, max_length=60, description="family name as on the insurance card")
    date_of_birth: dt.date = Field(description="date of birth, YYYY-MM-DD")
    sex: Sex = Field(description="administrative sex: F, M or U (unknown)")
    address: Address = Field(description="home address")


class Patient(Person):
    """The person who received the care."""

    account_number: str = Field(min_length=1, max_length=38, description="the practice's patient account number")


class Payer(Contract):
    """The health plan billed."""

    payer_id: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9]+$",
                          description="the clearinghouse's payer id")
    name: str = Field(min_length=1, max_length=60, description="the payer's name")


ClaimFilingIndicator = Literal[
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB",
    "MC", "OF", "TV", "VA", "WC", "ZZ",
]
Relationship = Literal["self", "spouse", "child", "other"]


class Coverage(Contract):
    """One insurance policy covering the patient, in coordination-of-benefits order."""

    priority: Literal["primary", "secondary", "tertiary"] = Field(
        description="order of payment; exactly one coverage is primary")
    payer: Payer = Field(description="the health plan of this policy")
    member_id: str = Field(min_length=2, max_length=80, description="the subscriber's member id on this plan")
    group_number: str | None = Field(default=None, max_length=50, description="the policy's group number")
    claim_filing_indicator: ClaimFilingIndicator = Field(description="X12 SBR09 claim filing indicator code")
    relationship: Relationship = Field(description="the patient's relationship to the subscriber")
    subscriber: Person | None = Field(
        default=None, validate_default=True,
        description="the policy holder; required unless relationship is self, and empty when it is")

    @field_validator("subscriber")
    @classmethod
    def _subscriber_matches_relationship(cls, subscriber: Person | None, info: ValidationInfo) -> Person | None:
        relationship = info.data.get("relationship")
        if relationship is None:
            return subscriber  # the relationship itself failed and is reported
        if relationship != "self" and subscriber is None:
            raise rule_failure("is required when relationship is not self")
        if relationship == "self" and subscriber is not None:
            raise rule_failure("must be empty when relationship is self: the patient is the subscriber")
        return subscriber


class BillingProvider(Contract):
    """The organisation that bills and is paid."""

    npi: Npi = Field(description="type 2 NPI, 10 digits with a valid check digit")
    tax_id: str = Field(pattern=TAX_ID, description="EIN, nine digits without a dash, not all zeros")
    organization_name: str = Field(min_length=1, max_length=60, description="legal name")
    taxonomy: Taxonomy = Field(description="NUCC provider taxonomy code, 10 characters ending in X")
    address: Address = Field(description="pay-to address; its postal_code must be the 9-digit ZIP")

    _check_tax_id = field_validator("tax_id")(_tax_id)

    @field_validator("address")
    @classmethod
    def _nine_digit_zip(cls, address: Address) -> Address:
        if len(address.postal_code) != 9:
            raise rule_failures("Address", [(("postal_code",), "must be the 9-digit ZIP for the billing provider")])
        return address


class IndividualProvider(Contract):
    """A clinician: rendering, referring or attending."""

    npi: Npi = Field(description="type 1 NPI, 10 digits with a valid check digit")
    first_name: str = Field(min_length=1, max_length=35, description="given name")
    last_name: str = Field(min_length=1, max_length=60, description="family name")
    taxonomy: Taxonomy | None = Field(default=None, description="NUCC provider taxonomy code")


class ServiceFacility(Contract):
    """Where the care was given, when not at the billing provider's address."""

    npi: Npi | None = Field(default=None, description="the facility's NPI, when it has one")
    name: str = Field(min_length=1, max_length=60, description="facility name")
    address: Address = Field(description="facility address")
