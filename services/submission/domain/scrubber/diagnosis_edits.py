"""Edits on the diagnosis list and how service lines point into it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from services.submission.domain.scrubber.claim_document import ClaimDocument, items, value_at
from services.submission.domain.scrubber.context import ScrubContext
from services.submission.domain.scrubber.library import Edit

SINCE = dt.date(2026, 1, 1)
EXTERNAL_CAUSE_LETTERS = ("V", "W", "X", "Y")  # ICD-10-CM chapter 20, V00-Y99
SEQUELA_CHARACTER = "S"  # the 7th character that marks a sequela (late effect)


def _normalised(code: object) -> str | None:
    return code.upper().replace(".", "").strip() if isinstance(code, str) else None


def _duplicate_diagnoses(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    seen: set[str] = set()
    for index, code in items(claim, "diagnoses"):
        normalised = _normalised(code)
        if normalised is None:
            continue
        if normalised in seen:
            yield f"/diagnoses/{index}"
        seen.add(normalised)


def _pointer_to_missing_diagnosis(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    diagnoses = value_at(claim, "diagnoses")
    count = len(diagnoses) if isinstance(diagnoses, list) else 0
    for line_index, _line in items(claim, "service_lines"):
        for pointer_index, pointer in items(claim, "service_lines", line_index, "diagnosis_pointers"):
            if isinstance(pointer, bool) or not isinstance(pointer, int) or not 1 <= pointer <= count:
                yield f"/service_lines/{line_index}/diagnosis_pointers/{pointer_index}"


def _external_cause_first(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    first = _normalised(value_at(claim, "diagnoses", 0))
    if first and first.startswith(EXTERNAL_CAUSE_LETTERS):
        yield "/diagnoses/0"


def _sequela_first(claim: ClaimDocument, _context: ScrubContext) -> Iterator[str]:
    first = _normalised(value_at(claim, "diagnoses", 0))
    if first and len(first) == 7 and first[6] == SEQUELA_CHARACTER:
        yield "/diagnoses/0"


EDITS = (
    Edit("SCR-DX-001", "error", "A diagnosis code is listed more than once.",
         "Remove the repeated diagnosis and renumber the service lines' diagnosis pointers.",
         "/diagnoses/*", SINCE, None, _duplicate_diagnoses),
    Edit("SCR-DX-002", "error", "A service line points to a diagnosis that is not on the claim.",
         "Point each service line only at diagnoses 1 to N of the claim's diagnosis list.",
         "/service_lines/*/diagnosis_pointers/*", SINCE, None, _pointer_to_missing_diagnosis),
    # ICD-10-CM guideline I.C.20: external cause codes are never the first-listed diagnosis.
    Edit("SCR-DX-003", "error", "An external-cause code (V00-Y99) is the first-listed diagnosis.",
         "List the injury or condition first; external-cause codes only follow it.",
         "/diagnoses/0", SINCE, None, _external_cause_first),
    # Guideline I.B.10: the condition resulting from the sequela is sequenced first, with rare exceptions.
    Edit("SCR-DX-004", "warning", "A sequela code (7th character S) is the first-listed diagnosis.",
         "List the residual condition first and the sequela code after it, unless the tabular instructs otherwise.",
         "/diagnoses/0", SINCE, None, _sequela_first),
)
