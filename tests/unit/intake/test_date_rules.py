"""Calendar rules: nothing in the future, nothing before birth, age under 150, lines inside the claim's span."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.intake.domain.validation.dates import age_on, date_violations, latest_date_on_earth
from shared.contracts.encounter import Encounter
from tests.unit.intake.documents import TODAY, changed, institutional, professional

Change = tuple[str, Any]


def violations(document: dict[str, Any], today: dt.date = TODAY) -> list[tuple[str, str]]:
    return [(v.pointer, v.detail) for v in date_violations(Encounter.model_validate(document), today)]


def at(document: dict[str, Any], *changes: Change) -> list[str]:
    return [pointer for pointer, _ in violations(changed(document, *changes))]


PROFESSIONAL_VALID: dict[str, tuple[Change, ...]] = {
    "the example": (),
    "service today": (("/date_of_service", "2026-11-27"),),
    "born on the day of service": (("/patient/date_of_birth", "2026-11-02"),),
    "149 years old": (("/patient/date_of_birth", "1877-11-03"),),
    "line on the claim date": (("/service_lines/0/date_of_service", "2026-11-02"),),
    "lines across a multi-day span": (("/date_of_service_through", "2026-11-05"),
                                      ("/service_lines/0/date_of_service", "2026-11-02"),
                                      ("/service_lines/1/date_of_service", "2026-11-05")),
    "span ending today": (("/date_of_service_through", "2026-11-27"),),
    "span of one day": (("/date_of_service_through", "2026-11-02"),),
    "a subscriber born long ago": (("/coverages/0/relationship", "child"), ("/coverages/0/subscriber", {
        "first_name": "A", "last_name": "B", "date_of_birth": "1950-01-01", "sex": "M",
        "address": {"line1": "1 Main St", "city": "Boise", "state": "ID", "postal_code": "83702"}})),
}


@pytest.mark.parametrize("case", PROFESSIONAL_VALID)
def test_professional_dates_that_pass(case: str) -> None:
    assert at(professional(), *PROFESSIONAL_VALID[case]) == []


PROFESSIONAL_INVALID: dict[str, tuple[tuple[Change, ...], list[str]]] = {
    "service tomorrow": ((("/date_of_service", "2026-11-28"),), ["/date_of_service"]),
    "service next year": ((("/date_of_service", "2027-11-02"),), ["/date_of_service"]),
    "service before birth": ((("/patient/date_of_birth", "2026-11-03"),), ["/date_of_service"]),
    "born in the future": ((("/patient/date_of_birth", "2026-12-01"), ("/date_of_service", "2026-11-27")),
                           ["/patient/date_of_birth"]),
    "150 years old": ((("/patient/date_of_birth", "1876-11-02"),), ["/patient/date_of_birth"]),
    "200 years old": ((("/patient/date_of_birth", "1826-01-01"),), ["/patient/date_of_birth"]),
    "line before the claim date": ((("/service_lines/0/date_of_service", "2026-11-01"),),
                                   ["/service_lines/0/date_of_service"]),
    "line after the claim date": ((("/service_lines/1/date_of_service", "2026-11-03"),),
                                  ["/service_lines/1/date_of_service"]),
    "line after the span": ((("/date_of_service_through", "2026-11-04"),
                             ("/service_lines/1/date_of_service", "2026-11-05")), ["/service_lines/1/date_of_service"]),
    "line in the future": ((("/service_lines/0/date_of_service", "2026-11-28"),),
                           ["/service_lines/0/date_of_service"]),
    "span ends before it starts": ((("/date_of_service_through", "2026-11-01"),), ["/date_of_service_through"]),
    "span ends in the future": ((("/date_of_service_through", "2026-11-28"),), ["/date_of_service_through"]),
    "subscriber born in the future": ((("/coverages/0/relationship", "child"), ("/coverages/0/subscriber", {
        "first_name": "A", "last_name": "B", "date_of_birth": "2027-01-01", "sex": "M",
        "address": {"line1": "1 Main St", "city": "Boise", "state": "ID", "postal_code": "83702"}})),
        ["/coverages/0/subscriber/date_of_birth"]),
}


@pytest.mark.parametrize("case", PROFESSIONAL_INVALID)
def test_professional_dates_that_fail(case: str) -> None:
    changes, expected = PROFESSIONAL_INVALID[case]
    assert at(professional(), *changes) == expected


INSTITUTIONAL_VALID: dict[str, tuple[Change, ...]] = {
    "the stay": (),
    "lines on admission and discharge days": (("/service_lines/0/date_of_service", "2026-11-01"),
                                              ("/service_lines/1/date_of_service", "2026-11-03")),
    "same-day stay": (("/admission_date", "2026-11-02"), ("/discharge_date", "2026-11-02"),
                      ("/admission_hour", 8), ("/discharge_hour", 8)),
    "discharged today": (("/discharge_date", "2026-11-27"),),
    "newborn admitted at birth": (("/patient/date_of_birth", "2026-11-01"),),
}


@pytest.mark.parametrize("case", INSTITUTIONAL_VALID)
def test_institutional_dates_that_pass(case: str) -> None:
    assert at(institutional(), *INSTITUTIONAL_VALID[case]) == []


INSTITUTIONAL_INVALID: dict[str, tuple[tuple[Change, ...], list[str]]] = {
    "discharge before admission": ((("/discharge_date", "2026-10-31"),), ["/discharge_date"]),
    "discharge hour before admission hour on one day": (
        (("/admission_date", "2026-11-02"), ("/discharge_date", "2026-11-02"), ("/discharge_hour", 8)),
        ["/discharge_hour"]),
    "discharge in the future": ((("/discharge_date", "2026-11-28"),), ["/discharge_date"]),
    "admission in the future": ((("/admission_date", "2026-11-28"), ("/discharge_date", "2026-11-29"),
                                 ("/date_of_service", "2026-11-28")), ["/date_of_service", "/admission_date",
                                                                       "/discharge_date"]),
    "claim date before admission": ((("/date_of_service", "2026-10-31"),), ["/date_of_service"]),
    "claim date after discharge": ((("/date_of_service", "2026-11-04"),), ["/date_of_service"]),
    "line before admission": ((("/service_lines/0/date_of_service", "2026-10-31"),),
                              ["/service_lines/0/date_of_service"]),
    "line after discharge": ((("/service_lines/1/date_of_service", "2026-11-04"),),
                             ["/service_lines/1/date_of_service"]),
    "admitted before birth": ((("/patient/date_of_birth", "2026-11-02"),), ["/admission_date"]),
}


@pytest.mark.parametrize("case", INSTITUTIONAL_INVALID)
def test_institutional_dates_that_fail(case: str) -> None:
    changes, expected = INSTITUTIONAL_INVALID[case]
    assert at(institutional(), *changes) == expected


def test_institutional_line_details_name_the_stay() -> None:
    [(_, detail)] = violations(changed(institutional(), ("/service_lines/0/date_of_service", "2026-10-31")))
    assert "admission_date..discharge_date" in detail


def test_date_details_never_carry_dates() -> None:
    document = changed(professional(), ("/patient/date_of_birth", "1826-01-01"), ("/date_of_service", "2026-11-02"),
                       ("/service_lines/0/date_of_service", "2026-11-28"))
    for _, detail in violations(document):
        assert "1826" not in detail and "2026" not in detail


@pytest.mark.parametrize(("birth", "day", "age"), [
    ("2000-02-29", "2001-02-28", 0), ("2000-02-29", "2001-03-01", 1), ("1984-03-09", "2026-03-08", 41),
    ("1984-03-09", "2026-03-09", 42), ("2026-11-02", "2026-11-02", 0),
])
def test_age_on(birth: str, day: str, age: int) -> None:
    assert age_on(dt.date.fromisoformat(birth), dt.date.fromisoformat(day)) == age


@pytest.mark.parametrize(("now", "today"), [
    ("2026-11-27T04:00:00+00:00", "2026-11-27"),
    ("2026-11-27T10:00:00+00:00", "2026-11-28"),  # already the 28th in Kiribati (UTC+14)
    ("2026-11-27T23:00:00-10:00", "2026-11-28"),  # Hawaii late evening
    ("2026-12-31T09:59:00+00:00", "2026-12-31"),
])
def test_latest_date_on_earth(now: str, today: str) -> None:
    assert latest_date_on_earth(dt.datetime.fromisoformat(now)) == dt.date.fromisoformat(today)
