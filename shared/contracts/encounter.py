"""The encounter a practice-management system posts to intake: the product's public contract.

Field names follow ../shared/examples/encounter.json and may be added to, never renamed.
Structural rules (formats, counts, pointer ranges, what an institutional claim must carry) live
here so every way in (REST, FHIR, 837) validates the same way, and every failure is reported at
once at its own location. Code-set and calendar rules (ICD-10-CM billability, place-of-service
list, dates against today) live in intake's validation.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from shared.contracts.field_formats import (
    ICD10CM,
    MODIFIER,
    NDC_11,
    NPI,
    NUBC_PATIENT_STATUSES,
    PATIENT_STATUS,
    PLACE_OF_SERVICE,
    PROCEDURE,
    REVENUE_CODE,
    STATE,
    TAXONOMY,
    TYPE_OF_BILL,
    ZIP,
    NdcUnit,
)
from shared.contracts.parties import (
    Address,
    BillingProvider,
    ClaimFilingIndicator,
    Contract,
    Coverage,
    IndividualProvider,
    Npi,
    Patient,
    Payer,
    Person,
    Relationship,
    ServiceFacility,
    Sex,
)
from shared.contracts.rule_errors import Location, rule_failure, rule_failures

__all__ = [
    "Address", "BillingProvider", "ClaimFilingIndicator", "Contract", "Coverage", "Drug", "Encounter",
    "IndividualProvider", "Npi", "Patient", "Payer", "Person", "Relationship", "ServiceFacility",
    "ServiceLine", "Sex", "ICD10CM", "MODIFIER", "MONEY_CENTS", "NPI", "PROCEDURE", "STATE", "TAXONOMY",
    "ZIP", "normalise_icd10",
]

MONEY_CENTS = Decimal("0.01")
EXAMPLE: dict[str, Any] = json.loads(Path(__file__).with_name("encounter_example.json").read_text())
INSTITUTIONAL_ONLY = ("type_of_bill", "admission_date", "admission_hour", "discharge_date", "discharge_hour",
                      "patient_status", "attending_provider")


PatientStatus = Annotated[str, Field(pattern=PATIENT_STATUS, json_schema_extra={"enum": sorted(NUBC_PATIENT_STATUSES)})]


def _repeats(values: Iterable[Any]) -> list[tuple[int, int]]:
    """(index, index of the first occurrence) for every value seen before."""
    first: dict[Any, int] = {}
    repeated = []
    for index, value in enumerate(values):
        if value in first:
            repeated.append((index, first[value]))
        else:
            first[value] = index
    return repeated


class Drug(Contract):
    """The drug a line administered or supplied, as the payer prices it (837 LIN/CTP)."""

    ndc: str = Field(pattern=NDC_11, description="National Drug Code, 11 digits 5-4-2 zero-padded, no dashes")
    quantity: Decimal = Field(gt=0, le=9_999_999, decimal_places=3, description="quantity of the drug given")
    unit: NdcUnit = Field(
        description="unit of the quantity: F2 international unit, GR gram, ME milligram, ML millilitre, UN unit")


class ServiceLine(Contract):
    """One billed procedure or supply."""

    procedure_code: str = Field(pattern=PROCEDURE, description="CPT or HCPCS Level II code")
    modifiers: list[Annotated[str, Field(pattern=MODIFIER)]] = Field(
        default_factory=list, max_length=4, description="up to four CPT/HCPCS modifiers, none repeated")
    units: Decimal = Field(gt=0, le=9999, decimal_places=3, description="units or minutes of service")
    charge: Decimal = Field(gt=0, max_digits=10, decimal_places=2,
                            description="line charge in dollars, positive, at most two decimals")
    diagnosis_pointers: list[Annotated[int, Field(ge=1, le=12)]] = Field(
        min_length=1, max_length=4,
        description="1-based positions in diagnoses that justify this line, most important first, none repeated")
    date_of_service: dt.date | None = Field(
        default=None, description="the line's date when it differs from the claim's; within the claim's span")
    revenue_code: str | None = Field(default=None, pattern=REVENUE_CODE,
                                     description="NUBC revenue code, 4 digits; required on institutional claims")
    drug: Drug | None = Field(default=None, description="the drug given, for drug and biological lines")

    @field_validator("modifiers")
    @classmethod
    def _modifiers_once(cls, modifiers: list[str]) -> list[str]:
        repeats = _repeats(modifiers)
        if repeats:
            raise rule_failures("modifiers", [((index,), f"repeats modifier {first + 1}") for index, first in repeats])
        return modifiers

    @field_validator("diagnosis_pointers")
    @classmethod
    def _pointers_once(cls, pointers: list[int]) -> list[int]:
        repeats = _repeats(pointers)
        if repeats:
            raise rule_failures("diagnosis_pointers",
                                [((index,), f"repeats pointer {first + 1} of this line") for index, first in repeats])
        return pointers


class Encounter(Contract):
    """One visit or stay, as the PMS knows it; becomes one claim."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    external_id: str = Field(min_length=1, max_length=64, description="the PMS's id; unique per tenant")
    claim_type: Literal["professional", "institutional"] = Field(
        description="professional (837P, CMS-1500) or institutional (837I, UB-04)")
    date_of_service: dt.date = Field(description="the date of the visit, or the first date of a multi-day encounter")
    date_of_service_through: dt.date | None = Field(
        default=None, description="the last date of a multi-day professional encounter; defaults to date_of_service")
    place_of_service: str = Field(pattern=PLACE_OF_SERVICE, description="CMS place-of-service code, 2 digits")
    patient: Patient = Field(description="the person who received the care")
    coverages: list[Coverage] = Field(min_length=1, max_length=3,
                                      description="1-3 policies; exactly one primary, no priority repeated")
    billing_provider: BillingProvider = Field(description="the organisation that bills")
    rendering_provider: IndividualProvider | None = Field(default=None, description="the clinician who gave the care")
    referring_provider: IndividualProvider | None = Field(default=None,
                                                          description="the clinician who referred the patient")
    service_facility: ServiceFacility | None = Field(
        default=None, description="where the care was given, when not at the billing provider's address")
    prior_authorization: str | None = Field(default=None, max_length=50,
                                            description="the payer's prior authorization number")
    diagnoses: list[Annotated[str, Field(pattern=ICD10CM)]] = Field(
        min_length=1, max_length=12,
        description="1-12 billable ICD-10-CM codes with their dot, principal first, none repeated")
    service_lines: list[ServiceLine] = Field(min_length=1, max_length=50, description="1-50 billed lines")
    clinical_note: str | None = Field(default=None, max_length=100_000,
                                      description="the visit note, for coding; never echoed in errors")
    type_of_bill: str | None = Field(default=None, validate_default=True, pattern=TYPE_OF_BILL,
                                     description="institutional: NUBC type of bill, 4 characters (e.g. 0131)")
    admission_date: dt.date | None = Field(default=None, validate_default=True,
                                           description="institutional: date of admission or start of care")
    admission_hour: int | None = Field(default=None, validate_default=True, ge=0, le=23,
                                       description="institutional: hour of admission, 0-23")
    discharge_date: dt.date | None = Field(default=None, validate_default=True,
                                           description="institutional: date of discharge or end of care")
    discharge_hour: int | None = Field(default=None, validate_default=True, ge=0, le=23,
                                       description="institutional: hour of discharge, 0-23")
    patient_status: PatientStatus | None = Field(
        default=None, validate_default=True,
        description="institutional: NUBC patient discharge status, 2 digits (e.g. 01 home)")
    attending_provider: IndividualProvider | None = Field(
        default=None, validate_default=True, description="institutional: the attending clinician")

    @field_validator("coverages")
    @classmethod
    def _one_primary_and_unique_priorities(cls, coverages: list[Coverage]) -> list[Coverage]:
        priorities = [coverage.priority for coverage in coverages]
        failures: list[tuple[Location, str]] = [
            ((index, "priority"), f"repeats the priority of coverage {first + 1}")
            for index, first in _repeats(priorities)]
        if "primary" not in priorities:
            failures.append(((), "exactly one coverage must be primary"))
        if "tertiary" in priorities and "secondary" not in priorities:
            failures.append(((priorities.index("tertiary"), "priority"), "tertiary needs a secondary coverage"))
        if failures:
            raise rule_failures("coverages", failures)
        return coverages

    @field_validator("diagnoses")
    @classmethod
    def _diagnoses_once(cls, diagnoses: list[str]) -> list[str]:
        repeats = _repeats(normalise_icd10(code) for code in diagnoses)
        if repeats:
            raise rule_failures("diagnoses",
                                [((index,), f"repeats diagnosis {first + 1}") for index, first in repeats])
        return diagnoses

    @field_validator("service_lines")
    @classmethod
    def _lines_fit_the_claim(cls, lines: list[ServiceLine], info: ValidationInfo) -> list[ServiceLine]:
        failures: list[tuple[Location, str]] = []
        diagnoses = info.data.get("diagnoses")  # absent when the diagnoses failed: they are reported
        for index, line in enumerate(lines):
            for position, pointer in enumerate(line.diagnosis_pointers):
                if diagnoses is not None and pointer > len(diagnoses):
                    failures.append(((index, "diagnosis_pointers", position),
                                     f"points past the {len(diagnoses)} diagnoses"))
            if info.data.get("claim_type") == "institutional" and line.revenue_code is None:
                failures.append(((index, "revenue_code"), "is required on institutional claims"))
        if failures:
            raise rule_failures("service_lines", failures)
        return lines

    @field_validator(*INSTITUTIONAL_ONLY)
    @classmethod
    def _required_when_institutional(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.data.get("claim_type") == "institutional":
            raise rule_failure("is required on institutional claims")
        return value

    @field_validator("patient_status")
    @classmethod
    def _nubc_patient_status(cls, value: str | None) -> str | None:
        if value is not None and value not in NUBC_PATIENT_STATUSES:
            raise rule_failure("must be a NUBC patient discharge status code")
        return value

    @property
    def primary_coverage(self) -> Coverage:
        return next(c for c in self.coverages if c.priority == "primary")

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.service_lines), Decimal("0.00")).quantize(MONEY_CENTS)


def normalise_icd10(code: str) -> str:
    """ICD-10-CM as billed in X12: upper case, no dot."""
    return re.sub(r"\.", "", code.upper())
