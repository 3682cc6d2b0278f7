"""Edits on the diagnoses: validity and billability for the date, Excludes1, age, sex and sequencing."""

from __future__ import annotations

import datetime as dt

from services.coding.domain.codesets import Icd10CmRelease
from services.coding.domain.coding_claim import CodingClaim
from services.coding.domain.edits.model import CodingEdit, edit
from services.coding.domain.edits.reference import CodingReference

EXTERNAL_CAUSE_CHAPTER = ("V", "W", "X", "Y")  # V00-Y99


def dotted(code: str) -> str:
    """A dotless ICD-10-CM code as people read it (E1165 -> E11.65)."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def fiscal_year(day: dt.date) -> int:
    """The ICD-10-CM fiscal year of a day: FY2027 runs 1 October 2026 to 30 September 2027."""
    return day.year + 1 if day.month >= 10 else day.year


def _lines_pointing_to(claim: CodingClaim, *positions: int) -> tuple[int, ...]:
    return tuple(line.line_number for line in claim.lines if set(line.diagnosis_pointers) & set(positions))


def _validity(claim: CodingClaim, release: Icd10CmRelease) -> list[CodingEdit]:
    found = []
    for position, code in enumerate(claim.diagnoses, start=1):
        lines = _lines_pointing_to(claim, position)
        if not release.is_valid(code):
            found.append(edit("COD-ICD-INVALID",
                              f"{dotted(code)} is not an ICD-10-CM code in {release.name}.",
                              f"{release.name} code list", (dotted(code),), lines))
        elif not release.is_billable(code):
            found.append(edit("COD-ICD-NONBILLABLE",
                              f"{dotted(code)} is not billable: report one of the more specific codes beneath it.",
                              f"{release.name} code list: billable codes", (dotted(code),), lines))
    return found


def _excludes1(claim: CodingClaim, release: Icd10CmRelease) -> list[CodingEdit]:
    valid = [(position, code) for position, code in enumerate(claim.diagnoses, start=1) if release.is_valid(code)]
    excluded = {code: set(release.excludes1_of(code)) for _, code in valid}
    found = []
    for index, (first_position, first) in enumerate(valid):
        for second_position, second in valid[index + 1:]:
            if any(second in span for span in excluded[first]) or any(first in span for span in excluded[second]):
                found.append(edit(
                    "COD-ICD-EXCLUDES1",
                    f"{dotted(first)} and {dotted(second)} may not be coded together (Excludes1): keep the one the "
                    "documentation supports, or document that the conditions are unrelated.",
                    f"{release.name} Tabular: Excludes1", (dotted(first), dotted(second)),
                    _lines_pointing_to(claim, first_position, second_position)))
    return found


def _demographics(claim: CodingClaim, reference: CodingReference) -> list[CodingEdit]:
    rules = reference.demographics
    age = claim.age_on(claim.date_of_service)
    found = []
    for position, code in enumerate(claim.diagnoses, start=1):
        lines = _lines_pointing_to(claim, position)
        for rule in rules.age_conflicts(code, age):
            found.append(edit("COD-ICD-AGE",
                              f"{dotted(code)} is a {rule.name} diagnosis (ages {rule.min_age} to {rule.max_age}); "
                              "the patient's age on the date of service is outside that range.",
                              f"{rules.source} {rule.section}: age conflict, {rule.name}", (dotted(code),), lines))
        if sex_rule := rules.sex_conflict(code, claim.patient_sex):
            found.append(edit("COD-ICD-SEX",
                              f"{dotted(code)} is a diagnosis for {'female' if sex_rule.sex == 'F' else 'male'} "
                              "patients only and does not match the patient's sex.",
                              f"{rules.source} {sex_rule.section}: sex conflict", (dotted(code),), lines))
    return found


def _first_listed(claim: CodingClaim, release: Icd10CmRelease | None) -> list[CodingEdit]:
    if not claim.diagnoses:
        return []
    first = claim.diagnoses[0]
    lines = _lines_pointing_to(claim, 1)
    found = []
    if release is not None and release.is_valid(first) and release.is_manifestation(first):
        found.append(edit("COD-ICD-MANIFESTATION-FIRST",
                          f"{dotted(first)} is a manifestation code: list the underlying condition first.",
                          f"{release.name} Tabular: code first", (dotted(first),), lines))
    if len(first) == 7 and first[6] == "S":
        found.append(edit("COD-ICD-SEQUELA-FIRST",
                          f"{dotted(first)} is a sequela code: list the residual condition first.",
                          "ICD-10-CM Official Guidelines I.B.10", (dotted(first),), lines))
    if first.startswith(EXTERNAL_CAUSE_CHAPTER):
        found.append(edit("COD-ICD-EXTCAUSE-FIRST",
                          f"{dotted(first)} is an external-cause code and may not be the first-listed diagnosis.",
                          "ICD-10-CM Official Guidelines I.C.20", (dotted(first),), lines))
    return found


def diagnosis_edits(claim: CodingClaim, reference: CodingReference) -> list[CodingEdit]:
    """Every diagnosis edit that fires on the claim."""
    release = reference.icd10cm.release_for(claim.date_of_service)
    found: list[CodingEdit] = []
    if release is None:
        found.append(edit(
            "COD-ICD-NO-CODESET",
            f"No ICD-10-CM release is loaded for FY{fiscal_year(claim.date_of_service)}, which covers the date of "
            f"service (loaded: {reference.icd10cm.describe_loaded()}); the diagnoses cannot be checked.",
            "ICD-10-CM releases loaded", tuple(dotted(code) for code in claim.diagnoses)))
    else:
        found += _validity(claim, release) + _excludes1(claim, release)
    return found + _demographics(claim, reference) + _first_listed(claim, release)
