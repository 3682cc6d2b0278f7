"""Denial classification from CARC and group code (services/denials/domain/classification.py)."""

from decimal import Decimal

import pytest

from services.denials.domain.classification import classify

D = Decimal


@pytest.mark.parametrize(("adjustments", "category", "preventable", "codes"), [
    ([("CO", "50", D("185.00")), ("CO", "50", D("42.00"))], "medical_necessity", False, ("CO-50",)),
    ([("CO", "197", D("210.00"))], "authorization", True, ("CO-197",)),
    ([("CO", "16", D("95.00"))], "missing_information", True, ("CO-16",)),
    ([("CO", "29", D("95.00"))], "timely_filing", True, ("CO-29",)),
    ([("OA", "18", D("95.00"))], "duplicate", True, ("OA-18",)),
    ([("CO", "97", D("35.00")), ("CO", "45", D("20.00"))], "coding", True, ("CO-97",)),
    # the largest denying adjustment decides; contractual CO-45 and PR-1/2/3 never count as denials
    ([("CO", "45", D("300.00")), ("CO", "11", D("10.00")), ("CO", "22", D("90.00"))],
     "coordination_of_benefits", True, ("CO-11", "CO-22")),
])
def test_classifies_by_the_largest_denying_adjustment(adjustments, category, preventable, codes) -> None:
    result = classify(adjustments)
    assert result.category == category
    assert result.preventable is preventable
    assert result.reason_codes == codes
    assert result.recommended_action
    assert 0 < result.recoverability <= 1


def test_an_unknown_carc_is_kept_raw_and_routed_to_review() -> None:
    result = classify([("CO", "Z9", D("50.00"))])
    assert result.category == "unknown"
    assert result.reason_codes == ("CO-Z9",)
    assert "Z9" in result.root_cause


def test_only_contractual_and_patient_share_is_not_a_denial_reason() -> None:
    result = classify([("CO", "45", D("40.00")), ("PR", "2", D("20.00")), ("PR", "3", D("25.00"))])
    assert result.category == "unknown"
    assert result.reason_codes == ()


@pytest.mark.parametrize(("adjustments", "remarks", "category", "preventable", "liability"), [
    # generic CARC 16: the remark names what was missing
    ([("CO", "16", D("80.00"))], ["M62"], "authorization", True, "provider"),
    ([("CO", "16", D("80.00"))], ["MA04"], "coordination_of_benefits", True, "provider"),
    # a specific CARC is not overridden by its remark
    ([("CO", "50", D("80.00"))], ["M62"], "medical_necessity", False, "provider"),
    # A1 says nothing by itself; the remark decides
    ([("CO", "A1", D("80.00"))], ["N56"], "coding", True, "provider"),
    # group PR: the patient is liable, the action says to bill them
    ([("PR", "96", D("80.00"))], [], "non_covered", False, "patient"),
    ([("PR", "204", D("80.00"))], ["N130"], "non_covered", False, "patient"),
])
def test_remarks_and_group_code_refine_the_classification(adjustments, remarks, category, preventable,
                                                          liability) -> None:
    result = classify(adjustments, remarks)
    assert (result.category, result.preventable, result.liability) == (category, preventable, liability)
    assert ("bill the patient" in result.recommended_action) is (liability == "patient")
    assert all(remark in result.root_cause for remark in remarks)


def test_every_denying_line_is_classified_on_its_own() -> None:
    result = classify([("CO", "197", D("120.00"), "L1"), ("CO", "45", D("10.00"), "L2"),
                       ("CO", "97", D("30.00"), "L2")])
    assert [(line.line_control_number, line.reason_code, line.category) for line in result.lines] == [
        ("L1", "197", "authorization"), ("L2", "97", "coding")]
    assert result.category == "authorization"


@pytest.mark.parametrize(("remarks", "unknown", "review"), [
    (["N115"], (), False),
    (["ZZ999"], ("RARC ZZ999",), True),
])
def test_an_unknown_remark_is_kept_and_flags_review(remarks, unknown, review) -> None:
    result = classify([("CO", "50", D("10.00"))], remarks)
    assert result.unknown_codes == unknown
    assert result.review_required is review
    assert result.category == "medical_necessity"


def test_an_unknown_carc_needs_review_and_keeps_its_line() -> None:
    result = classify([("CO", "Z9", D("50.00"), "L1")])
    assert result.review_required
    assert result.unknown_codes == ("CARC Z9",)
    assert result.lines[0].reason_code == "Z9" and result.lines[0].category == "unknown"


@pytest.mark.parametrize(("stage", "category_code", "status", "category", "review"), [
    ("277CA", "A3", "21", "missing_information", False),
    ("277CA", "A3", "33", "eligibility", False),
    ("277CA", "A7", "9999", "unknown", True),
    ("999", "R", "5", "missing_information", False),
])
def test_front_end_rejections_are_classified(stage, category_code, status, category, review) -> None:
    from services.denials.domain.classification import classify_rejection

    result = classify_rejection(stage, category_code, status)
    assert result.category == category
    assert result.review_required is review
    assert result.reason_codes


def test_the_code_tables_are_complete_and_consistent() -> None:
    from services.denials.domain.classification import CATEGORIES, carc_table, category_table, rarc_table

    assert set(CATEGORIES) <= set(category_table())
    assert len(carc_table()) >= 200
    for code, entry in carc_table().items():
        assert entry["category"] in category_table(), code
        assert entry["description"] and isinstance(entry["preventable"], bool), code
    for code, entry in rarc_table().items():
        assert entry["description"], code
        assert entry.get("category", "coding") in category_table(), code
    # the codes the simulator and the fixtures use are all known
    for code in ("45", "50", "97", "197", "1", "2", "3", "16", "18", "29", "96", "253"):
        assert code in carc_table()
