"""ICD-10-CM at POST time: each diagnosis against the release that covers the claim's date of service.

The releases are the ones coding checks against (`shared/icd10cm`: FY2026 from simple-icd-10-cm,
FY2027 made from CMS's addenda, and any year an operator loads into the coding reference manifest),
read once at startup; a request then costs a set lookup per code. A code deleted in FY2027 is
refused for dates of service from 2026-10-01 and accepted before; a code FY2027 added is accepted
from then on; every refusal names the release.

When no release covers the date (next October, before anyone loads the new year), intake checks
against the nearest release, as coding does, and refuses only a category of it: a code that release
does not have may be new in the year not loaded, so the claim goes on and coding holds it for a coder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.intake.domain.validation.violations import Violation, pointer
from shared.contracts.encounter import normalise_icd10
from shared.icd10cm import Icd10CmCodeList, Icd10CmCodeLists, configured_code_lists, fiscal_year


def _covered_violation(code: str, release: Icd10CmCodeList) -> str | None:
    if code not in release.codes:
        if code in release.deleted:
            return (f"is not an ICD-10-CM code in {release.name}: it was deleted for dates of service from "
                    f"{release.effective_from.isoformat()}; report the code that replaces it")
        return f"is not an ICD-10-CM code in {release.name}"
    if code not in release.billable:
        was = f" (it was billable before {release.name})" if code in release.deleted else ""
        return f"is a category, not a billable ICD-10-CM code in {release.name}{was}: report a more specific code"
    return None


def _assumed_violation(code: str, release: Icd10CmCodeList, year: int) -> str | None:
    if code in release.codes and code not in release.billable:
        return (f"is a category, not a billable ICD-10-CM code in {release.name}, the nearest release (none is "
                f"loaded for FY{year}): report a more specific code")
    return None


def diagnosis_violations(releases: Icd10CmCodeLists, diagnoses: Sequence[str],
                         date_of_service: dt.date) -> list[Violation]:
    """Each diagnosis must be a billable code of the release covering the date of service (details name it,
    never the code)."""
    release = releases.release_for(date_of_service)
    assumed = releases.assumed_for(date_of_service) if release is None else None
    violations = []
    for index, code in enumerate(diagnoses):
        dotless = normalise_icd10(code)
        if release is not None:
            detail = _covered_violation(dotless, release)
        elif assumed is not None:
            detail = _assumed_violation(dotless, assumed, fiscal_year(date_of_service))
        else:
            detail = None  # no release loaded at all: coding holds every claim and says so
        if detail is not None:
            violations.append(Violation(pointer("diagnoses", index), detail))
    return violations


def icd10cm_releases() -> Icd10CmCodeLists:
    """The configured ICD-10-CM releases (read once per process, well under a second: call it at startup)."""
    return configured_code_lists()
