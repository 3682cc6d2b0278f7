"""Where a note assesses: a header opens a line, or follows a sentence in a note dictated as one paragraph."""

from __future__ import annotations

import datetime as dt

import pytest

from services.coding.domain.documentation import read_notes
from services.coding.domain.documentation.note_sections import ASSESSMENT, assessment_regions, sections

ONE_PARAGRAPH = ("Established patient, 42F, follow-up of type 2 diabetes and hypertension. Reports polyuria; home "
                 "glucose 180-250. BP 148/92. Assessment: type 2 diabetes mellitus with hyperglycemia, uncontrolled; "
                 "essential hypertension, not at goal. Plan: increase metformin to 1000 mg BID.")


def test_headers_inside_a_paragraph_open_sections_after_a_sentence() -> None:
    found = [(category, ONE_PARAGRAPH[start:start + 10]) for category, start, _ in sections(ONE_PARAGRAPH)]
    assert found == [(ASSESSMENT, "Assessment"), (ASSESSMENT, "Plan: incr")]
    assert assessment_regions(ONE_PARAGRAPH)[0][0] == ONE_PARAGRAPH.index("Assessment:")


@pytest.mark.parametrize("note", [
    "Takes vitamin a: 1 tab daily. Good appetite.",  # a one-letter header mid-line is a word, not a section
    "Plan was discussed with the family.",  # no colon
])
def test_what_is_not_a_header(note: str) -> None:
    assert sections(note) == []


def test_a_one_letter_header_counts_at_the_start_of_a_line() -> None:
    note = "S: cough for three days.\nA: acute bronchitis.\nP: supportive care."
    assert [category for category, _, _ in sections(note)] == ["history_of_present_illness", ASSESSMENT, ASSESSMENT]


def test_a_one_paragraph_note_is_read_with_its_assessment_and_its_integral_symptom_left_out() -> None:
    [reading] = read_notes([(ONE_PARAGRAPH, dt.date.today() - dt.timedelta(days=7))])
    confidence = {d.code: d.confidence for d in reading.diagnoses}
    assert confidence["E11.65"] >= 0.85 and confidence["I10"] >= 0.85, "assessed, so confident"
    assert confidence["Z79.84"] >= 0.85, "metformin in the plan: long-term oral hypoglycemic use"
    assert "R35.89" not in confidence, "polyuria is integral to diabetes with hyperglycemia (IV.D)"
