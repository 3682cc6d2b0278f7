"""ICD-10-CM from simple-icd-10-cm's tabular data: dates covered, billable leaves, notes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from services.coding.adapters.reference_import.icd10cm_tabular import (
    Icd10CmImportError,
    package_release_files,
    read_code_list,
    read_release,
    read_tabular,
)
from services.coding.domain.codesets import Icd10CmCodeSets
from services.coding.domain.edits import load_coding_reference


@pytest.fixture(scope="module")
def release():
    return load_coding_reference().icd10cm.releases[0]


@pytest.mark.parametrize("day, covered", [
    (dt.date(2025, 9, 30), None), (dt.date(2025, 10, 1), "ICD-10-CM FY2026 (April 1, 2026 update)"),
    (dt.date(2026, 9, 30), "ICD-10-CM FY2026 (April 1, 2026 update)"), (dt.date(2026, 10, 1), "ICD-10-CM FY2027"),
    (dt.date(2027, 9, 30), "ICD-10-CM FY2027"), (dt.date(2027, 10, 1), None),
])
def test_the_shipped_releases_cover_fy2026_and_fy2027(day: dt.date, covered: str | None) -> None:
    code_sets = load_coding_reference().icd10cm
    assert getattr(code_sets.release_for(day), "name", None) == covered


def test_fy2027_is_fy2026_with_the_addenda_and_keeps_its_notes() -> None:
    fy2027 = load_coding_reference().icd10cm.release_for(dt.date(2026, 10, 1))
    assert len(fy2027.billable) == 74_879
    assert fy2027.is_billable("C7831") and not fy2027.is_valid("T528X2D") and fy2027.was_deleted("T528X2D")
    assert any("E10" in span for span in fy2027.excludes1_of("E119"))  # E11's notes, as FY2026 had them
    assert fy2027.use_additional_of("D6911") == fy2027.use_additional_of("D691")  # a new code gets its parent's


@pytest.mark.parametrize("code, title", [
    ("E119", "Type 2 diabetes mellitus without complications"),
    ("S82001A", "Unspecified fracture of right patella, initial encounter for closed fracture"),
    ("T7840XA", "Allergy, unspecified, initial encounter"),
    ("H401111", "Primary open-angle glaucoma, right eye, mild stage"),
])
def test_titles_are_the_tabular_descriptions_with_the_seventh_character(release, code: str, title: str) -> None:
    assert release.titles[code] == title


def test_every_billable_code_of_fy2027_has_a_title() -> None:
    fy2027 = load_coding_reference().icd10cm.release_for(dt.date(2026, 10, 1))
    assert not [code for code in fy2027.billable if not fy2027.titles.get(code)]
    assert fy2027.titles["QA171"] == "Lynch syndrome" and "T528X2D" not in fy2027.titles


def test_no_release_loaded_answers_none() -> None:
    assert Icd10CmCodeSets(()).release_for(dt.date(2026, 5, 1)) is None
    assert Icd10CmCodeSets(()).describe_loaded() == "none"


@pytest.mark.parametrize("code, valid, billable", [
    ("E11", True, False), ("E119", True, True), ("S82001", True, False), ("S82001A", True, True),
    ("A003", False, False),
])
def test_billable_codes_are_the_leaves(release, code: str, valid: bool, billable: bool) -> None:
    assert (release.is_valid(code), release.is_billable(code)) == (valid, billable)


def test_excludes1_notes_apply_from_category_and_block(release) -> None:
    own_category = release.excludes1_of("E119")
    assert any("E10" in span for span in own_category)
    assert any("V4352XA" in span for span in release.excludes1_of("W19XXXA"))  # block W00-W19 note


@pytest.mark.parametrize("code, manifestation", [
    ("G63", True), ("F0280", True), ("E1142", False), ("L97101", False), ("I21A1", False),
])
def test_manifestations_are_codes_with_an_unconditional_code_first_note(release, code: str, manifestation: bool):
    assert release.is_manifestation(code) == manifestation


def test_notes_carry_code_first_and_use_additional_text(release) -> None:
    assert any("underlying" in note for note in release.code_first_of("G63"))
    assert release.use_additional_of("E1142")  # E11: use additional code to identify control using insulin...


def test_a_cms_billable_only_code_list_still_knows_categories(tmp_path: Path) -> None:
    _, tabular = package_release_files()
    codes = tmp_path / "icd10cm-codes-2026.txt"
    codes.write_text("E119    Type 2 diabetes mellitus without complications\nI10     Essential hypertension\n")
    release = read_release("CMS list", dt.date(2025, 10, 1), dt.date(2026, 9, 30), codes, tabular)
    assert release.is_billable("E119") and release.is_valid("E11") and not release.is_billable("E11")


def test_code_list_skips_chapters_and_blocks() -> None:
    assert read_code_list("1\nA00-A09\nA00\nA000\n") == frozenset({"A00", "A000"})


def test_a_file_that_is_not_a_tabular_list_is_refused() -> None:
    with pytest.raises(Icd10CmImportError):
        read_tabular("not xml")
    with pytest.raises(Icd10CmImportError, match="no sections"):
        read_tabular("<ICD10CM.tabular><chapter/></ICD10CM.tabular>")
