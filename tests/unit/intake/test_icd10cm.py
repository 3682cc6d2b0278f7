"""ICD-10-CM: valid and billable (leaf) codes against the release shipped in simple-icd-10-cm 1.5.0."""

from __future__ import annotations

import pytest

from services.intake.domain.validation.icd10cm import Icd10CmCodeSet, packaged_icd10cm

BILLABLE = ["E11.65", "I10", "J06.9", "R05.9", "M54.50", "Z00.00", "F32.A", "S93.401A", "U07.1", "E11.A", "T78.40XA",
            "O09.891", "Z79.4", "M17.11", "J45.909", "R07.89", "Z79.899", "G43.909"]
NOT_BILLABLE = ["E11", "E11.6", "I25", "S93.401", "M54.5", "R05", "T78.40", "J45.90", "Z00.0"]
NOT_CODES = ["A00.00", "E11.99", "Z99.999", "I10.9", "J06.99", "M54.6A", "S93.401Z", "U99.9"]


def test_the_release_is_named() -> None:
    assert packaged_icd10cm().release == "ICD-10-CM April 2026 release"


@pytest.mark.parametrize("code", BILLABLE)
def test_billable_codes_pass(code: str) -> None:
    assert packaged_icd10cm().diagnosis_violations([code]) == []


@pytest.mark.parametrize("code", NOT_BILLABLE)
def test_categories_are_not_billable(code: str) -> None:
    [violation] = packaged_icd10cm().diagnosis_violations([code])
    assert violation.pointer == "/diagnoses/0"
    assert "not a billable" in violation.detail and "April 2026" in violation.detail and code not in violation.detail


@pytest.mark.parametrize("code", NOT_CODES)
def test_unknown_codes_fail(code: str) -> None:
    [violation] = packaged_icd10cm().diagnosis_violations([code])
    assert "is not an ICD-10-CM code" in violation.detail and code not in violation.detail


def test_each_diagnosis_is_reported_at_its_position() -> None:
    found = packaged_icd10cm().diagnosis_violations(["I10", "E11", "E11.65", "Q99.99", "Z00.00"])
    assert [v.pointer for v in found] == ["/diagnoses/1", "/diagnoses/3"]


def test_a_code_list_with_chapters_and_blocks() -> None:
    code_set = Icd10CmCodeSet.from_code_list("test", ["1", "A00-A09", "A00", "A000", "A001", "B99", " ", "C0A1"])
    assert code_set.codes == {"A00", "A000", "A001", "B99", "C0A1"}
    assert code_set.billable == {"A000", "A001", "B99", "C0A1"}


def test_billability_agrees_with_the_package_api() -> None:
    """Reading the package's code list gives the same answer as its own is_valid_item / is_leaf."""
    icd = pytest.importorskip("simple_icd_10_cm")
    code_set = packaged_icd10cm()
    package_codes = {code for code in icd.get_all_codes(with_dots=False) if "-" not in code and not code.isdigit()}
    assert package_codes == code_set.codes
    assert {code for code in package_codes if icd.is_leaf(code)} == code_set.billable
    for code in ["E11", "E11.65", "I10", "S93.401A", "T78.40XA"]:
        assert (code.replace(".", "") in code_set.billable) == icd.is_leaf(code)
