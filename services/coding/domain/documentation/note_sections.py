"""Section headers the reader recognises, and where a note's assessment and plan lie.

A header opens a line, or, in a note dictated as one paragraph ("... BP 148/92. Assessment: ... Plan: ..."),
follows the end of a sentence; the one- and two-letter headers (A:, P:, S:, O:, CC:, ...) count only at the
start of a line, where they cannot be a word that happens to precede a colon."""

from __future__ import annotations

import re

ASSESSMENT = "assessment_plan"
SECTION_HEADERS: dict[str, tuple[str, ...]] = {
    ASSESSMENT: ("assessment and plan:", "assessment/plan:", "assessment & plan:", "a/p:", "assessment:", "plan:",
                 "impression:", "impression and plan:", "impression/plan:", "a:", "p:", "diagnosis:", "diagnoses:",
                 "problems addressed today:", "problem list addressed today:"),
    "history_of_present_illness": ("hpi:", "history of present illness:", "interval history:", "s:", "subjective:"),
    "chief_complaint": ("chief complaint:", "cc:", "reason for visit:", "reason:"),
    "past_medical_history": ("pmh:", "past medical history:", "past history:", "past surgical history:"),
    "family_history": ("family history:", "fh:"),
    "social_history": ("social history:", "sh:"),
    "medications": ("medications:", "current medications:", "meds:"),
    "allergies": ("allergies:",),
    "review_of_systems": ("ros:", "review of systems:"),
    "physical_exam": ("exam:", "physical exam:", "pe:", "examination:", "o:", "objective:"),
    "data": ("data:", "labs:", "results:", "imaging:", "studies:"),
}
_ALL = sorted((h for hs in SECTION_HEADERS.values() for h in hs), key=len, reverse=True)
_HEADER = re.compile(r"(?:^[ \t]*|(?<=[.;!?])[ \t]+)(" + "|".join(map(re.escape, _ALL)) + ")",
                     re.IGNORECASE | re.MULTILINE)
_LINE_START_ONLY = frozenset(h for h in _ALL if len(h) <= 3)
_CATEGORY = {header: category for category, headers in SECTION_HEADERS.items() for header in headers}


PLAN_ONLY = frozenset({"plan:", "p:"})


def sections(note: str) -> list[tuple[str, int, int]]:
    """(category, start, end) of each headed section, in order; text before the first header has none, except in a
    note whose only assessment header is a plan: a narrative that states the problems and ends "Plan: ...", whose
    opening paragraph is its assessment."""
    headers = [m for m in _HEADER.finditer(note)
               if m.group(1).lower() not in _LINE_START_ONLY or _at_line_start(note, m.start(1))]
    found = [(_CATEGORY[m.group(1).lower()], m.start(1)) for m in headers]
    regions = [(category, start, found[i + 1][1] if i + 1 < len(found) else len(note))
               for i, (category, start) in enumerate(found)]
    assessing = {m.group(1).lower() for m, (category, _) in zip(headers, found, strict=True) if category == ASSESSMENT}
    if assessing and assessing <= PLAN_ONLY and note[:found[0][1]].strip():
        regions.insert(0, (ASSESSMENT, 0, found[0][1]))
    return regions


def _at_line_start(note: str, position: int) -> bool:
    return note[note.rfind("\n", 0, position) + 1:position].strip() == ""


def assessment_regions(note: str) -> list[tuple[int, int]]:
    """Where the note assesses and plans; the whole note when it has no such section."""
    regions = [(start, end) for category, start, end in sections(note) if category == ASSESSMENT]
    return regions or [(0, len(note))]
