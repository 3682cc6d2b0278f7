"""ICD-10-CM at intake: each diagnosis against the release covering the date of service, FY2027 included."""

from __future__ import annotations

import datetime as dt

import pytest

from services.intake.domain.validation.icd10cm import diagnosis_violations, icd10cm_releases
from shared.icd10cm import Icd10CmCodeList, Icd10CmCodeLists

FY2026_DAY, FY2027_DAY, NEXT_OCTOBER = dt.date(2026, 9, 15), dt.date(2026, 11, 27), dt.date(2027, 10, 5)
BILLABLE = ["E11.65", "I10", "J06.9", "R05.9", "M54.50", "Z00.00", "F32.A", "S93.401A", "U07.1", "E11.A", "T78.40XA",
            "O09.891", "Z79.4", "M17.11", "J45.909", "R07.89", "Z79.899", "G43.909"]
NOT_BILLABLE = ["E11", "E11.6", "I25", "S93.401", "M54.5", "R05", "T78.40", "J45.90", "Z00.0"]
NOT_CODES = ["A00.00", "E11.99", "Z99.999", "I10.9", "J06.99", "M54.6A", "S93.401Z", "U99.9"]


def violations(codes: list[str], day: dt.date) -> list:
    return diagnosis_violations(icd10cm_releases(), codes, day)


@pytest.mark.parametrize("day", [FY2026_DAY, FY2027_DAY])
@pytest.mark.parametrize("code", BILLABLE)
def test_billable_codes_pass(code: str, day: dt.date) -> None:
    assert violations([code], day) == []


@pytest.mark.parametrize("code", NOT_BILLABLE)
def test_categories_are_not_billable_naming_the_release(code: str) -> None:
    [violation] = violations([code], FY2027_DAY)
    assert violation.pointer == "/diagnoses/0"
    assert "not a billable" in violation.detail and "ICD-10-CM FY2027" in violation.detail
    assert code not in violation.detail


@pytest.mark.parametrize("code", NOT_CODES)
def test_unknown_codes_fail(code: str) -> None:
    [violation] = violations([code], FY2026_DAY)
    assert violation.detail == "is not an ICD-10-CM code in ICD-10-CM FY2026 (April 1, 2026 update)"


@pytest.mark.parametrize("code", ["C78.31", "QA1.71", "I42.01", "D69.11"])
def test_a_code_fy2027_added_passes_from_october_2026_only(code: str) -> None:
    assert violations([code], dt.date(2026, 10, 1)) == []
    [before] = violations([code], dt.date(2026, 9, 30))
    assert before.detail == "is not an ICD-10-CM code in ICD-10-CM FY2026 (April 1, 2026 update)"


def test_a_code_fy2027_deleted_is_refused_from_october_2026_naming_the_release() -> None:
    assert violations(["T52.8X2D"], dt.date(2026, 9, 30)) == []
    [after] = violations(["T52.8X2D"], dt.date(2026, 10, 1))
    assert after.detail == ("is not an ICD-10-CM code in ICD-10-CM FY2027: it was deleted for dates of service from "
                            "2026-10-01; report the code that replaces it")


def test_a_code_fy2027_made_a_category_is_refused_from_october_2026() -> None:
    assert violations(["D69.1"], dt.date(2026, 9, 30)) == []
    [after] = violations(["D69.1"], dt.date(2026, 10, 1))
    assert after.detail == ("is a category, not a billable ICD-10-CM code in ICD-10-CM FY2027 (it was billable before "
                            "ICD-10-CM FY2027): report a more specific code")


def test_when_no_release_covers_the_date_only_a_category_of_the_nearest_is_refused() -> None:
    """A code the nearest release lacks may be new in the year not loaded: coding holds it, intake lets it in."""
    assert violations(["I10", "T52.8X2D", "QA1.797"], NEXT_OCTOBER) == []
    [category] = violations(["E11"], NEXT_OCTOBER)
    assert category.detail == ("is a category, not a billable ICD-10-CM code in ICD-10-CM FY2027, the nearest release "
                               "(none is loaded for FY2028): report a more specific code")


def test_each_diagnosis_is_reported_at_its_position() -> None:
    found = violations(["I10", "E11", "E11.65", "Q99.99", "Z00.00"], FY2027_DAY)
    assert [v.pointer for v in found] == ["/diagnoses/1", "/diagnoses/3"]


def test_releases_can_be_given() -> None:
    tiny = Icd10CmCodeList("tiny", dt.date(2026, 10, 1), dt.date(2027, 9, 30), frozenset({"I10", "E11", "E1165"}),
                           frozenset({"I10", "E1165"}))
    [violation] = diagnosis_violations(Icd10CmCodeLists((tiny,)), ["E11.65", "J06.9"], FY2027_DAY)
    assert violation.pointer == "/diagnoses/1" and violation.detail == "is not an ICD-10-CM code in tiny"


def test_billability_agrees_with_the_package_api() -> None:
    """The FY2026 release read from the package's code list gives the same answer as its own is_valid_item / is_leaf."""
    icd = pytest.importorskip("simple_icd_10_cm")
    fy2026 = icd10cm_releases().release_for(FY2026_DAY)
    package_codes = {code for code in icd.get_all_codes(with_dots=False) if "-" not in code and not code.isdigit()}
    assert package_codes == fy2026.codes
    assert {code for code in package_codes if icd.is_leaf(code)} == fy2026.billable
