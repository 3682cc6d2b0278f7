"""validate_encounter: every code-set and calendar violation at once, in document order, without values."""

from __future__ import annotations

import datetime as dt

import pytest

from services.intake.domain.validation import EncounterRulesBroken, encounter_violations, validate_encounter
from services.intake.domain.validation.violations import pointer
from shared.contracts.encounter import Encounter
from shared.icd10cm import Icd10CmCodeList, Icd10CmCodeLists
from tests.unit.intake.documents import TODAY, changed, institutional, professional


@pytest.mark.parametrize("document", [professional(), institutional()], ids=["professional", "institutional"])
def test_valid_encounters_pass(document: dict) -> None:
    validate_encounter(Encounter.model_validate(document), TODAY)


def test_every_violation_is_raised_at_once_in_document_order() -> None:
    document = changed(
        professional(), ("/diagnoses", ["E11", "I10", "E11.99"]), ("/place_of_service", "30"),
        ("/service_lines/1/date_of_service", "2026-11-01"), ("/date_of_service", "2026-11-28"),
        ("/patient/date_of_birth", "1850-01-01"),
    )
    with pytest.raises(EncounterRulesBroken) as raised:
        validate_encounter(Encounter.model_validate(document), TODAY)
    assert [v.pointer for v in raised.value.violations] == [
        "/date_of_service", "/place_of_service", "/patient/date_of_birth", "/diagnoses/0", "/diagnoses/2",
        "/service_lines/1/date_of_service"]
    assert str(raised.value) == "6 field(s) failed validation"


def test_details_carry_no_submitted_values() -> None:
    document = changed(professional(), ("/diagnoses", ["E11", "Q99.99"]), ("/place_of_service", "30"),
                       ("/patient/date_of_birth", "1850-01-01"))
    text = repr(encounter_violations(Encounter.model_validate(document), TODAY))
    for value in ("E11", "Q99", "30", "1850"):
        assert f"'{value}" not in text and f" {value}" not in text


def test_a_code_set_can_be_given() -> None:
    only_i10 = Icd10CmCodeLists((Icd10CmCodeList("tiny", dt.date(2025, 10, 1), dt.date(2027, 9, 30),
                                                 frozenset({"I10", "E11", "E1165"}), frozenset({"I10", "E1165"})),))
    encounter = Encounter.model_validate(changed(professional(), ("/diagnoses", ["E11.65", "J06.9"]),
                                                 ("/service_lines/1/diagnosis_pointers", [1])))
    [violation] = encounter_violations(encounter, TODAY, only_i10)
    assert violation.pointer == "/diagnoses/1" and "tiny" in violation.detail


@pytest.mark.parametrize(("parts", "expected"), [
    (("diagnoses", 0), "/diagnoses/0"), (("a/b", "c~d"), "/a~1b/c~0d"), ((), ""),
])
def test_pointer(parts: tuple, expected: str) -> None:
    assert pointer(*parts) == expected
