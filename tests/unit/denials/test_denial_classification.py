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
