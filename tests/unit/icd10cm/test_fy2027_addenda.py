"""CMS's FY2027 addenda applied to the FY2026 release simple-icd-10-cm ships give exactly FY2027."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.icd10cm import (
    SHIPPED_REFERENCE_DIR,
    AddendaError,
    Icd10CmCodeList,
    apply_addenda,
    billable_leaves,
    read_addenda,
    read_code_lists,
)

ADDENDA = SHIPPED_REFERENCE_DIR / "icd10cm" / "icd10cm_order_addenda_2027.txt"
FY2027_FROM, FY2027_THROUGH = dt.date(2026, 10, 1), dt.date(2027, 9, 30)


@pytest.fixture(scope="module")
def shipped():
    return read_code_lists(SHIPPED_REFERENCE_DIR)


@pytest.fixture(scope="module")
def fy2026(shipped) -> Icd10CmCodeList:
    return shipped.release_for(dt.date(2026, 9, 30))


@pytest.fixture(scope="module")
def fy2027(shipped) -> Icd10CmCodeList:
    return shipped.release_for(dt.date(2026, 10, 1))


def test_the_shipped_releases_are_fy2026_and_fy2027_made_from_its_addenda(shipped) -> None:
    assert [(r.name, r.effective_from, r.effective_through) for r in shipped.releases] == [
        ("ICD-10-CM FY2026 (April 1, 2026 update)", dt.date(2025, 10, 1), dt.date(2026, 9, 30)),
        ("ICD-10-CM FY2027", FY2027_FROM, FY2027_THROUGH)]


def test_fy2027_has_cms_counts(fy2026, fy2027) -> None:
    assert (len(fy2026.billable), len(fy2026.codes - fy2026.billable)) == (74_719, 23_467)
    assert (len(fy2027.billable), len(fy2027.codes - fy2027.billable)) == (74_879, 23_524)
    assert (len(fy2027.added), len(fy2027.deleted)) == (190, 30)
    assert billable_leaves(fy2027.codes) == fy2027.billable  # a billable code is still a leaf


@pytest.mark.parametrize("code", ["C7831", "C7983", "O3143X0", "I4201", "QA171", "Z6818"])
def test_an_added_code_is_billable_in_fy2027_only(fy2026, fy2027, code: str) -> None:
    assert code not in fy2026.codes
    assert code in fy2027.billable and code in fy2027.added


@pytest.mark.parametrize("code", ["T528X2D", "T528X2S", "S23420A"])
def test_a_deleted_code_is_gone_from_fy2027(fy2026, fy2027, code: str) -> None:
    assert code in fy2026.billable
    assert code not in fy2027.codes and code in fy2027.deleted


@pytest.mark.parametrize("code", ["D691", "I420", "M868X6", "M868X7", "Z681", "Z87890"])
def test_a_billable_code_that_became_a_header_is_valid_but_not_billable(fy2026, fy2027, code: str) -> None:
    assert code in fy2026.billable
    assert code in fy2027.codes and code not in fy2027.billable and code in fy2027.deleted


def test_titles_come_from_the_addenda_for_added_and_revised_codes(fy2027) -> None:
    assert fy2027.titles["C7831"] == "Secondary malignant neoplasm of larynx"
    assert fy2027.titles["QA171"] == "Lynch syndrome"
    assert fy2027.titles["L02232"] == "Carbuncle of back [any part, except buttock and flank]"


def test_the_file_parses_into_cms_summary() -> None:
    addenda = read_addenda(ADDENDA.read_text())
    assert addenda.fiscal_year == 2027
    assert (len(addenda.of("add", True)), len(addenda.of("delete", True)), len(addenda.of("revise_to"))) == (190, 30, 4)
    assert (len(addenda.of("add", False)), len(addenda.of("delete", False))) == (63, 6)
    assert addenda.count("codes", 2026) == 74_719 and addenda.count("headers", 2027) == 23_524


def test_addenda_applied_twice_are_refused(fy2027) -> None:
    with pytest.raises(AddendaError, match="do not apply to ICD-10-CM FY2027: C7831 is added but already in"):
        apply_addenda(fy2027, read_addenda(ADDENDA.read_text()), "twice", FY2027_FROM, FY2027_THROUGH)


def test_addenda_whose_counts_do_not_match_the_release_are_refused(fy2026) -> None:
    text = ADDENDA.read_text().replace("74719 codes in icd10cm_order_2026.txt", "74720 codes in icd10cm_order_2026.txt")
    with pytest.raises(AddendaError, match="count 74720 codes in the FY2026 order file; ICD-10-CM FY2026"):
        apply_addenda(fy2026, read_addenda(text), "FY2027", FY2027_FROM, FY2027_THROUGH)


def test_a_small_release_shows_each_kind_of_change() -> None:
    before = Icd10CmCodeList("FY1", dt.date(2020, 10, 1), dt.date(2021, 9, 30),
                             frozenset({"A00", "A000", "A001", "B99"}), frozenset({"A000", "A001", "B99"}))
    text = ("Delete:      1 A001    Old                                                          Old\n"
            "Add:         0 A001    Now a header                                                 Now a header\n"
            "Add:         1 A0011   New one                                                      New one\n"
            "Delete:      1 B99     Gone                                                         Gone\n")
    after = apply_addenda(before, read_addenda(text), "FY2", dt.date(2021, 10, 1), dt.date(2022, 9, 30))
    assert after.codes == {"A00", "A000", "A001", "A0011"} and after.billable == {"A000", "A0011"}
    assert after.deleted == {"A001", "B99"} and after.added == {"A0011"}


@pytest.mark.parametrize("text, problem", [
    ("not an addenda file\n", "not a CMS ICD-10-CM order-file addenda"),
    ("Add:         2 A0011   Title\n", "line 1: expected a 0/1 flag"),
    ("Revise from: 1 A000    Old\nAdd:         1 A0011   New\n", "'Revise from' A000 is not followed"),
])
def test_a_file_off_the_layout_is_refused(text: str, problem: str) -> None:
    with pytest.raises(AddendaError, match=problem):
        read_addenda(text)


@pytest.mark.parametrize("day, expected", [
    (dt.date(2027, 10, 1), "ICD-10-CM FY2027"),  # next October, before FY2028 is loaded: the latest
    (dt.date(2030, 1, 1), "ICD-10-CM FY2027"),
    (dt.date(2025, 9, 30), "ICD-10-CM FY2026 (April 1, 2026 update)"),  # before any: the earliest
])
def test_a_date_no_release_covers_is_checked_against_the_nearest(shipped, day: dt.date, expected: str) -> None:
    assert shipped.release_for(day) is None
    assert shipped.assumed_for(day).name == expected
