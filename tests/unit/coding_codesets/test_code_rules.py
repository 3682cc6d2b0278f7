"""Code references, CPT format and families, MCE age/sex lists, HCPCS format."""

from __future__ import annotations

import pytest

from services.coding.domain.codesets import cpt_category, em_family, is_level_ii, parse_reference, references_in_note
from services.coding.domain.edits import load_coding_reference


@pytest.mark.parametrize("reference, inside, outside", [
    ("J20.-", ["J20", "J209"], ["J21", "J1"]),
    ("Q20-Q26", ["Q20", "Q211", "Q2689"], ["Q19", "Q270"]),
    ("A04.0-A04.4", ["A040", "A044"], ["A045", "A0471"]),
    ("O00-O9A", ["O80", "O9A119"], ["P00"]),
    ("E11.6", ["E116", "E1165"], ["E117"]),
])
def test_code_references(reference: str, inside: list[str], outside: list[str]) -> None:
    span = parse_reference(reference)
    assert span is not None
    assert all(code in span for code in inside) and not any(code in span for code in outside)


def test_references_are_read_from_the_parentheses_of_a_note() -> None:
    found = references_in_note("influenza with involvement of gastrointestinal tract (J09.X3, J10.2, J11.2)")
    assert [str(span) for span in found] == ["J09X3", "J102", "J112"]
    assert references_in_note("a note without codes (see text)") == ()


@pytest.mark.parametrize("code, category", [
    ("99213", "category_i"), ("0001A", "category_i"), ("3074F", "category_ii"), ("0042T", "category_iii"),
    ("0001U", "pla"), ("0002M", "maaa"), ("G0439", None), ("9921", None),
])
def test_cpt_categories_by_format(code: str, category: str | None) -> None:
    assert cpt_category(code) == category


@pytest.mark.parametrize("code, family", [
    ("99202", "office or other outpatient"), ("99215", "office or other outpatient"), ("99201", None),
    ("99284", "emergency department"), ("99396", "preventive medicine"), ("20610", None), ("3074F", None),
])
def test_em_families(code: str, family: str | None) -> None:
    assert em_family(code) == family


@pytest.mark.parametrize("code, level_ii", [("G0439", True), ("J3490", True), ("F1234", False), ("99213", False)])
def test_hcpcs_level_ii_format(code: str, level_ii: bool) -> None:
    assert is_level_ii(code) == level_ii


def test_mce_age_and_sex_lists_name_their_source() -> None:
    rules = load_coding_reference().demographics
    assert rules.source.startswith("CMS Medicare Code Editor")
    assert [rule.name for rule in rules.age_conflicts("O80", 70)] == ["maternity"]
    assert rules.age_conflicts("O80", 30) == []
    assert rules.sex_conflict("N400", "F") is not None and rules.sex_conflict("N400", "M") is None


def test_add_on_and_minor_procedure_tables() -> None:
    procedures = load_coding_reference().procedures
    assert procedures.add_on_codes["22614"].primaries >= {"22610", "22612", "22630", "22633"}
    assert procedures.minor_procedures["20610"] == 0 and procedures.minor_procedures["17110"] == 10
