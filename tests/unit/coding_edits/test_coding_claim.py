"""The coding view of an encounter, and what the edits say about the contract's own example."""

from __future__ import annotations

import copy
import datetime as dt

from services.coding.domain.coding_claim import CodedLine, CodingClaim
from services.coding.domain.edits import run_coding_edits
from shared.contracts.encounter import EXAMPLE, Encounter
from tests.unit.coding_edits.coding_claims import shipped


def test_from_encounter_keeps_codes_as_billed_and_numbers_the_lines() -> None:
    coding = CodingClaim.from_encounter(Encounter.model_validate(EXAMPLE))
    assert coding.date_of_service == dt.date(2026, 11, 2)
    assert coding.diagnoses == ("E1165", "I10")
    assert coding.lines[0] == CodedLine(1, "99214", ("25",), 1.0, None, (1, 2), "11")
    assert coding.lines[1].line_number == 2 and coding.lines[1].procedure_code == "83036"


def test_age_is_whole_years_on_the_day() -> None:
    coding = CodingClaim(dt.date(2026, 5, 4), "F", dt.date(1980, 5, 5), ("I10",), ())
    assert coding.age_on(dt.date(2026, 5, 4)) == 45 and coding.age_on(dt.date(2026, 5, 5)) == 46


def test_the_example_encounter_is_clean_when_its_fiscal_year_is_loaded() -> None:
    example = copy.deepcopy(EXAMPLE)
    example["date_of_service"] = "2026-05-04"
    for line in example["service_lines"]:
        line.pop("date_of_service", None)
    coding = CodingClaim.from_encounter(Encounter.model_validate(example))
    assert run_coding_edits(coding, shipped()) == []


def test_the_example_encounter_in_fy2027_codes_against_the_fy2027_release() -> None:
    coding = CodingClaim.from_encounter(Encounter.model_validate(EXAMPLE))
    assert run_coding_edits(coding, shipped()) == []


def test_edit_messages_name_codes_not_the_patient() -> None:
    encounter = Encounter.model_validate(EXAMPLE)
    coding = CodingClaim.from_encounter(encounter)
    text = " ".join(found.message + found.source for found in run_coding_edits(coding, shipped()))
    patient = encounter.patient
    for private in (patient.first_name, patient.last_name, patient.date_of_birth.isoformat(),
                    coding.date_of_service.isoformat()):
        assert private not in text
