"""The releases the reader codes against: FY2026 as shipped, FY2027 by CMS's addenda, chosen by date of service."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from services.coding.domain.documentation.code_releases import apply_addenda, code_releases, release_for
from services.coding.domain.documentation.tabular_terms import parse_title

BENCH = Path(__file__).resolve().parents[3] / "bench" / "coding"


def test_the_releases_have_cms_counts_of_billable_codes() -> None:
    fy2026, fy2027 = code_releases()
    assert sum(fy2026.billable(c) for c in fy2026.codes()) == 74_719
    assert sum(fy2027.billable(c) for c in fy2027.codes()) == 74_879


def test_fy2027_adds_deletes_and_retitles_as_the_addenda_say() -> None:
    fy2026, fy2027 = code_releases()
    assert fy2027.billable("M67.A01") and not fy2026.billable("M67.A01")
    assert fy2027.description("M67.A01") == "Plantar fasciitis, right foot"
    assert fy2026.billable("M72.2") and not fy2027.billable("M72.2") and "M72.2" in fy2027.split
    assert fy2027.billable_under("I42.0") == ["I42.00", "I42.01", "I42.09"]
    assert not fy2027.billable("Z68.1") and fy2027.billable("Z68.18")
    assert fy2027.description("Z29.14").endswith("immune globulin")


def test_addenda_lines_are_read_by_their_columns() -> None:
    base = code_releases()[0]
    text = ("Add:         1 K740A   Hepatic fibrosis, moderate fibrosis                          "
            "Hepatic fibrosis, moderate fibrosis\nDelete:      1 M722    Plantar fascial fibromatosis"
            "                                 Plantar fascial fibromatosis\nnot an addenda line\n")
    release = apply_addenda(base, text, "test", dt.date(2030, 10, 1), dt.date(2031, 9, 30))
    assert release.billable("K74.0A") and release.entry("K74.0A").parent == "K74.0"  # type: ignore[union-attr]
    assert not release.billable("M72.2") and release.billable("I10")


@pytest.mark.parametrize(("date", "name"), [(dt.date(2025, 10, 1), "FY2026"), (dt.date(2026, 9, 30), "FY2026"),
                                            (dt.date(2026, 10, 1), "FY2027"), (dt.date(2027, 12, 1), "FY2027"),
                                            (dt.date(2024, 1, 1), "FY2026")])
def test_a_date_of_service_chooses_its_release(date: dt.date, name: str) -> None:
    assert name in release_for(date).name


def test_an_abbreviation_names_a_code_only_when_it_abbreviates_the_whole_title() -> None:
    masld = parse_title("K76.0", "Metabolic dysfunction-associated steatotic liver disease (MASLD)", False)
    assert any(alias.required == ("masld",) for alias in masld)
    ecg = parse_title("R94.31", "Abnormal electrocardiogram [ECG] [EKG]", True)
    assert all(alias.required != ("ecg",) for alias in ecg)


@pytest.mark.parametrize("directory", ["notes", "holdout", "holdout2", "holdout3"])
def test_every_benchmark_label_is_billable_on_its_date_of_service(directory: str) -> None:
    for path in sorted((BENCH / directory).glob("*.json")):
        case = json.loads(path.read_text())
        release = release_for(dt.date.fromisoformat(case["date_of_service"]))
        assert [c for c in case["expected_codes"] if not release.billable(c)] == [], case["id"]
