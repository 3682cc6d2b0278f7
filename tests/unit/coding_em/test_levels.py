"""The AMA office E/M tables, one row per rule (firing and not firing)."""

from __future__ import annotations

import pytest

from services.coding.domain.evaluation_management.levels import (
    billed_level,
    code_for,
    data_level,
    mdm_level,
    problems_level,
    risk_level,
    time_level,
)


@pytest.mark.parametrize(("elements", "expected"), [
    ((0, 0, 0), 0), ((1, 1, 0), 1), ((1, 0, 0), 0), ((2, 2, 0), 2), ((2, 0, 3), 2), ((3, 3, 1), 3), ((3, 1, 1), 1),
    ((3, 2, 1), 2),
])
def test_mdm_is_two_of_three(elements: tuple[int, int, int], expected: int) -> None:
    assert mdm_level(*elements) == expected


@pytest.mark.parametrize(("minutes", "new_patient", "expected"), [
    (14, True, None), (15, True, 0), (29, True, 0), (30, True, 1), (44, True, 1), (45, True, 2), (59, True, 2),
    (60, True, 3), (9, False, None), (10, False, 0), (19, False, 0), (20, False, 1), (29, False, 1), (30, False, 2),
    (39, False, 2), (40, False, 3), (None, False, None),
])
def test_time_thresholds_2024(minutes: int | None, new_patient: bool, expected: int | None) -> None:
    assert time_level(minutes, new_patient) == expected


@pytest.mark.parametrize(("kinds", "undiagnosed", "expected"), [
    ([], False, 0),
    ([("self_limited", None)], False, 0),
    ([("self_limited", None), ("self_limited", None)], False, 1),
    ([("chronic", None)], False, 1),
    ([("acute", None)], False, 1),
    ([("healing_injury", None)], False, 1),
    ([("chronic", None), ("chronic", "stable")], False, 2),
    ([("chronic", "exacerbation")], False, 2),
    ([("acute_systemic", None)], False, 2),
    ([("injury_complicated", None)], False, 2),
    ([("symptom", None)], True, 2),
    ([("symptom", None)], False, 1),
    ([("chronic", "severe")], False, 3),
    ([("threat", None)], False, 3),
])
def test_problems_level(kinds: list[tuple[str, str | None]], undiagnosed: bool, expected: int) -> None:
    assert problems_level(kinds, undiagnosed) == expected


@pytest.mark.parametrize(("tests", "historian", "interpretation", "discussion", "expected"), [
    (0, False, False, False, 0), (1, False, False, False, 0), (2, False, False, False, 1), (0, True, False, False, 1),
    (3, False, False, False, 2), (2, True, False, False, 2), (0, False, True, False, 2), (0, False, False, True, 2),
    (3, False, True, False, 3), (0, False, True, True, 3), (2, False, False, True, 2), (3, False, False, True, 3),
])
def test_data_level(tests: int, historian: bool, interpretation: bool, discussion: bool, expected: int) -> None:
    assert data_level(tests, historian, interpretation, discussion) == expected


NO_RISK = dict(hospitalization=False, toxicity_monitoring=False, major_surgery=False, surgical_risk=False,
               prescription=False, sdoh=False, low_risk=False)


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, 0), ({"low_risk": True}, 1), ({"prescription": True}, 2), ({"sdoh": True}, 2), ({"major_surgery": True}, 2),
    ({"major_surgery": True, "surgical_risk": True}, 3), ({"surgical_risk": True}, 0), ({"hospitalization": True}, 3),
    ({"toxicity_monitoring": True}, 3),
])
def test_risk_level(changes: dict[str, bool], expected: int) -> None:
    assert risk_level(**{**NO_RISK, **changes}) == expected


def test_codes_and_billed_levels() -> None:
    assert [code_for(level, True) for level in range(4)] == ["99202", "99203", "99204", "99205"]
    assert [code_for(level, False) for level in range(4)] == ["99212", "99213", "99214", "99215"]
    assert billed_level("99204") == (2, True)
    assert billed_level("99215") == (3, False)
    assert billed_level("99211") == (-1, False)
    assert billed_level("99201") is None  # deleted in 2021
    assert billed_level("99232") is None  # hospital care, not office
