"""ICD-10-CM billability against the code list shipped in simple-icd-10-cm 1.5.0.

That release carries CMS's April 1, 2026 update of the FY2026 ICD-10-CM tabular list (file
`code-list-April-2026.txt`); FY2027 (effective 2026-10-01) is not in it. Every date of service is
checked against this one release: a code added on 2026-10-01 is refused and a code retired then is
still accepted until the package is upgraded. Error details name the release so a practice can tell.

Only the package's plain code list is read (not its API, whose import parses the whole tabular XML:
~2 s and ~190 MB): a code is billable when it is in the list and no longer code extends it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from services.intake.domain.validation.violations import Violation, pointer
from shared.contracts.encounter import normalise_icd10

PACKAGE = "simple_icd_10_cm"


@dataclass(frozen=True)
class Icd10CmCodeSet:
    """The codes of one ICD-10-CM release (dotless, upper case) and which of them are billable leaves."""

    release: str
    codes: frozenset[str]
    billable: frozenset[str]

    @classmethod
    def from_code_list(cls, release: str, lines: list[str]) -> Icd10CmCodeSet:
        """Build from a CMS-style code list: one code per line, with chapters ("1") and blocks ("A00-A09")."""
        codes = frozenset(line.strip() for line in lines
                          if line.strip() and "-" not in line and not line.strip().isdigit())
        extended = {code[:length] for code in codes for length in range(3, len(code))}
        return cls(release, codes, codes - extended)

    def diagnosis_violations(self, diagnoses: list[str]) -> list[Violation]:
        """Each diagnosis must be an ICD-10-CM code of this release and billable (a leaf)."""
        violations = []
        for index, code in enumerate(diagnoses):
            dotless = normalise_icd10(code)
            if dotless not in self.codes:
                detail = f"is not an ICD-10-CM code (code set: {self.release})"
            elif dotless not in self.billable:
                detail = f"is a category, not a billable ICD-10-CM code: report a more specific code ({self.release})"
            else:
                continue
            violations.append(Violation(pointer("diagnoses", index), detail))
        return violations


def _package_code_list() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # locates the package without running its import
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{PACKAGE} is not installed: it ships the ICD-10-CM code list intake validates with")
    lists = sorted(Path(spec.submodule_search_locations[0], "data").glob("code-list-*.txt"))
    if len(lists) != 1:
        raise RuntimeError(f"{PACKAGE} should ship exactly one code-list-*.txt, found {len(lists)}")
    return lists[0]


@cache
def packaged_icd10cm() -> Icd10CmCodeSet:
    """The release shipped in simple-icd-10-cm (read once, ~0.1 s)."""
    code_list = _package_code_list()
    month, year = code_list.stem.removeprefix("code-list-").split("-")
    return Icd10CmCodeSet.from_code_list(f"ICD-10-CM {month} {year} release",
                                         code_list.read_text(encoding="utf-8").splitlines())
