"""Edits on the diagnoses: validity and billability for the date, Excludes1, age, sex and sequencing.

Diagnoses are checked against the ICD-10-CM release covering the date of service, and every message
names that release. When none covers it (next October, before anyone loads the new year; or a year
never loaded), they are checked against the nearest release (`Icd10CmCodeSets.assumed_for`) with a
warning naming the assumption, and a code that release does not have is an error: it may be new in
the year not loaded, and a coder must check it. Whether the assumption alone holds the claim is the
tenant's coding policy (`domain/coding_policy.py`).
"""

from __future__ import annotations

import datetime as dt

from services.coding.domain.codesets import Icd10CmRelease
from services.coding.domain.coding_claim import CodingClaim
from services.coding.domain.edits.model import CodingEdit, edit
from services.coding.domain.edits.reference import CodingReference
from shared.icd10cm import fiscal_year as shared_fiscal_year

EXTERNAL_CAUSE_CHAPTER = ("V", "W", "X", "Y")  # V00-Y99


def dotted(code: str) -> str:
    """A dotless ICD-10-CM code as people read it (E1165 -> E11.65)."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def fiscal_year(day: dt.date) -> int:
    """The ICD-10-CM fiscal year of a day: FY2027 runs 1 October 2026 to 30 September 2027."""
    return shared_fiscal_year(day)


def _lines_pointing_to(claim: CodingClaim, *positions: int) -> tuple[int, ...]:
    return tuple(line.line_number for line in claim.lines if set(line.diagnosis_pointers) & set(positions))


def _invalid(code: str, release: Icd10CmRelease, assumed_year: int | None) -> tuple[str, str]:
    """The edit id and message for a code the release does not have."""
    if assumed_year is not None:
        return "COD-ICD-ASSUMED-UNKNOWN", (
            f"{dotted(code)} is not in {release.name}, the release assumed for FY{assumed_year}: it may be new in "
            f"FY{assumed_year}. A coder checks it, or load the FY{assumed_year} release.")
    if release.was_deleted(code):
        return "COD-ICD-INVALID", (f"{dotted(code)} was deleted from ICD-10-CM in {release.name}, which covers the "
                                   f"date of service (from {release.effective_from.isoformat()}): report the code "
                                   "that replaces it.")
    return "COD-ICD-INVALID", f"{dotted(code)} is not an ICD-10-CM code in {release.name}."


def _validity(claim: CodingClaim, release: Icd10CmRelease, assumed_year: int | None = None) -> list[CodingEdit]:
    found = []
    for position, code in enumerate(claim.diagnoses, start=1):
        lines = _lines_pointing_to(claim, position)
        if not release.is_valid(code):
            edit_id, message = _invalid(code, release, assumed_year)
            found.append(edit(edit_id, message, f"{release.name} code list", (dotted(code),), lines))
        elif not release.is_billable(code):
            became = f" (it was billable until {release.name} made it a category)" if release.was_deleted(code) else ""
            found.append(edit("COD-ICD-NONBILLABLE",
                              f"{dotted(code)} is not billable in {release.name}{became}: report one of the more "
                              "specific codes beneath it.",
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
    year = fiscal_year(claim.date_of_service)
    codes = tuple(dotted(code) for code in claim.diagnoses)
    release = reference.icd10cm.release_for(claim.date_of_service)
    found: list[CodingEdit] = []
    if release is not None:
        found += _validity(claim, release) + _excludes1(claim, release)
    elif (release := reference.icd10cm.assumed_for(claim.date_of_service)) is not None:
        found.append(edit(
            "COD-ICD-RELEASE-ASSUMED",
            f"No ICD-10-CM release is loaded for FY{year}, which covers the date of service: the diagnoses were "
            f"checked against {release.describe()}, the nearest loaded, assuming their codes did not change. "
            f"Load the FY{year} release to check them against their own year.",
            "ICD-10-CM releases loaded", codes))
        found += _validity(claim, release, assumed_year=year) + _excludes1(claim, release)
    else:
        found.append(edit(
            "COD-ICD-NO-CODESET",
            f"No ICD-10-CM release is loaded at all (FY{year} covers the date of service); the diagnoses cannot be "
            "checked.", "ICD-10-CM releases loaded", codes))
    return found + _demographics(claim, reference) + _first_listed(claim, release)
