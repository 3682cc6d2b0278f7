"""The CMS place-of-service list shipped as data, and the rule that uses it."""

from __future__ import annotations

import datetime as dt

import pytest

from services.intake.domain.validation.places_of_service import place_of_service_violations, places_of_service

DOS = dt.date(2026, 11, 2)


def test_the_list_has_names_and_no_unassigned_codes() -> None:
    places = places_of_service()
    assert len(places) == 52
    assert all(place.name and place.code.isdigit() and len(place.code) == 2 for place in places.values())
    assert places["11"].name == "Office" and places["02"].name.startswith("Telehealth")
    unassigned = {28, 29, 30, *range(35, 41), *range(43, 49), 59, 63, 64, *range(67, 71), *range(73, 81),
                  *range(82, 99)}
    assert not {f"{code:02d}" for code in unassigned} & set(places)


@pytest.mark.parametrize("code", ["01", "02", "10", "11", "12", "19", "21", "22", "23", "24", "27", "31", "41",
                                  "50", "58", "66", "72", "81", "99"])
def test_assigned_codes_pass(code: str) -> None:
    assert place_of_service_violations(code, DOS) == []


@pytest.mark.parametrize("code", ["00", "28", "30", "40", "59", "64", "70", "80", "98"])
def test_unassigned_codes_fail(code: str) -> None:
    [violation] = place_of_service_violations(code, DOS)
    assert violation.pointer == "/place_of_service" and code not in violation.detail


@pytest.mark.parametrize(("code", "day", "passes"), [
    ("66", "2024-08-01", True), ("66", "2024-07-31", False), ("27", "2023-10-01", True), ("27", "2023-09-30", False),
    ("10", "2021-12-31", False), ("10", "2022-01-01", True), ("11", "2001-01-01", True),
])
def test_recent_codes_are_refused_before_their_effective_date(code: str, day: str, passes: bool) -> None:
    assert (place_of_service_violations(code, dt.date.fromisoformat(day)) == []) is passes
