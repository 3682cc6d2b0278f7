"""Replacements, voids, re-sent originals and secondary bills, built the way the service builds them, pass
the scrubber's frequency / REF*F8 edits and pyx12 with zero errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from services.submission.domain.billable_claim import ClaimFrequency
from services.submission.domain.claim_correction import encounter_for_frequency
from services.submission.domain.scrubber import LIBRARY, ScrubContext
from services.submission.domain.secondary_claim import prior_payer_adjudication
from services.submission.domain.submission_plan import line_control_numbers_for
from shared.contracts.encounter import Encounter
from tests.support.encounters import example_encounter
from tests.unit.submission.submission_pyx12 import pyx12_errors_in_parallel
from tests.unit.submission_corrections.corrected_claims import PCN, interchange, primary_paid, with_secondary
from tests.unit.submission_corrections.test_claim_correction import _institutional

FREQUENCY_EDITS = {"SCR-FRQ-001", "SCR-PCN-001", "SCR-PCN-002"}
TODAY = dt.date(2026, 11, 27)


def _segments(x12: str) -> list[list[str]]:
    return [s.split("*") for s in x12.replace("\n", "").split("~") if s]


@pytest.mark.parametrize(("frequency", "number"), [("7", "26331ABC0000001"), ("8", "26331ABC0000001"), ("1", None)])
def test_professional_correction_carries_frequency_and_ref_f8(frequency: str, number: str | None) -> None:
    x12 = interchange(Encounter.model_validate(example_encounter()), 2, frequency, number)
    segments = _segments(x12)
    clm = next(s for s in segments if s[0] == "CLM")
    assert clm[1] == PCN and clm[5].split(":")[2] == frequency
    assert [s[2] for s in segments if s[:2] == ["REF", "F8"]] == ([number] if number else [])
    assert [s[2] for s in segments if s[:2] == ["REF", "6R"]] == line_control_numbers_for(PCN, 2, 2)


@pytest.mark.parametrize(("frequency", "number", "fires"), [
    ("7", "26331ABC0000001", set()), ("8", "26331ABC0000001", set()), ("1", None, set()),
    ("7", None, {"SCR-PCN-001"}), ("1", "26331ABC0000001", {"SCR-PCN-002"}), ("5", None, {"SCR-FRQ-001"}),
])
def test_scrubber_frequency_edits_on_corrections(frequency: str, number: str | None, fires: set[str]) -> None:
    document = example_encounter()
    document["date_of_service"] = "2026-11-02"
    result = LIBRARY.scrub(Encounter.model_validate(document), ScrubContext(
        today=TODAY, frequency_code=frequency, payer_claim_control_number=number))
    assert {f.edit_id for f in result.findings} & FREQUENCY_EDITS == fires


def test_institutional_replacement_scrubs_clean_on_its_type_of_bill() -> None:
    billed = encounter_for_frequency(_institutional("0131"), ClaimFrequency.REPLACEMENT)
    result = LIBRARY.scrub(billed, ScrubContext(today=TODAY, frequency_code=billed.type_of_bill[-1],
                                                payer_claim_control_number="26331ABC0000001"))
    assert not {f.edit_id for f in result.findings} & FREQUENCY_EDITS


def test_every_kind_of_version_passes_pyx12(tmp_path: Path) -> None:
    professional = Encounter.model_validate(example_encounter())
    secondary = with_secondary()
    institutional = _institutional("0131")
    files = {
        "original": interchange(professional, 1, "1", None, 1),
        "replacement": interchange(professional, 2, "7", "26331ABC0000001", 2),
        "void": interchange(professional, 3, "8", "26331ABC0000001", 3),
        "secondary": interchange(secondary, 2, "1", None, 4, prior_payer_adjudication=prior_payer_adjudication(
            primary_paid(), PCN, line_control_numbers_for(PCN, 2, 2))),
        "institutional_replacement": interchange(
            encounter_for_frequency(institutional, ClaimFrequency.REPLACEMENT), 2, "7", "26331ABC0000001", 5),
        "institutional_void": interchange(
            encounter_for_frequency(institutional, ClaimFrequency.VOID), 3, "8", "26331ABC0000001", 6),
    }
    paths = []
    for name, text in files.items():
        path = tmp_path / f"{name}.837"
        path.write_text(text)
        paths.append(str(path))
    assert pyx12_errors_in_parallel(paths) == []
    secondary_segments = _segments(files["secondary"])
    assert [s[1] for s in secondary_segments if s[0] == "SBR"] == ["S", "P"]  # billed to the secondary, COB names P
    assert ["AMT", "D", "143.6"] in secondary_segments or ["AMT", "D", "143.60"] in secondary_segments
    assert sum(1 for s in secondary_segments if s[0] == "SVD") == 2
    clm = next(s for s in _segments(files["institutional_replacement"]) if s[0] == "CLM")
    assert clm[5] == "13:A:7"
