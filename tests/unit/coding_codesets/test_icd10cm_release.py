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
    (dt.date(2025, 9, 30), False), (dt.date(2025, 10, 1), True), (dt.date(2026, 9, 30), True),
    (dt.date(2026, 10, 1), False),
])
def test_the_shipped_release_covers_fy2026(day: dt.date, covered: bool) -> None:
    code_sets = load_coding_reference().icd10cm
    assert (code_sets.release_for(day) is not None) == covered


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
