"""The releases the reader codes against: the reference manifest's (FY2026 as shipped, FY2027 by CMS's addenda),
the same the edits check against, chosen by date of service."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from services.coding.domain.codesets import derive_release
from services.coding.domain.documentation.code_releases import CodeRelease, code_releases, release_for
from services.coding.domain.documentation.tabular_terms import parse_title
from services.coding.domain.edits import load_coding_reference
from shared.icd10cm import configured_release_entries, read_addenda

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


def test_the_reader_reads_the_releases_the_edits_check_against() -> None:
    edits_releases = load_coding_reference().icd10cm.releases
    assert [release.release for release in code_releases()] == list(edits_releases)
    assert [release.name for release in code_releases()] == [entry.name for entry in configured_release_entries()]


def test_a_release_made_from_addenda_reads_as_the_addenda_say() -> None:
    base = load_coding_reference().icd10cm.releases[0]
    text = ("Add:         1 K740A   Hepatic fibrosis, moderate fibrosis                          "
            "Hepatic fibrosis, moderate fibrosis\nDelete:      1 M722    Plantar fascial fibromatosis"
            "                                 Plantar fascial fibromatosis\n")
    release = CodeRelease(derive_release(base, read_addenda(text), "test", dt.date(2030, 10, 1), dt.date(2031, 9, 30)))
    assert release.billable("K74.0A") and release.entry("K74.0A").parent == "K74.0"  # type: ignore[union-attr]
    assert release.description("K74.0A") == "Hepatic fibrosis, moderate fibrosis"
    assert not release.billable("M72.2") and not release.has("M72.2") and release.billable("I10")


def test_inclusion_terms_come_from_the_tabular_list_and_leave_a_code_that_became_a_header() -> None:
    fy2026, fy2027 = code_releases()
    assert "high blood pressure" in fy2026.entry("I10").inclusion_terms  # type: ignore[union-attr]
    assert fy2027.entry("I10") == fy2026.entry("I10")
    assert "Plantar fasciitis" in fy2026.entry("M72.2").inclusion_terms  # type: ignore[union-attr]
    assert fy2027.entry("M72.2").inclusion_terms == ()  # type: ignore[union-attr]
    assert fy2027.entry("M67.A01").inclusion_terms == ()  # type: ignore[union-attr]  # new: the addenda carry none


def test_fy2026_reads_as_simple_icd_10_cm_reads_it_but_for_cms_titles_of_7th_character_codes() -> None:
    """The reader read the package's object tree before; the edits' parse of the same XML gives the same codes in
    the same order, parents, billable flags and inclusion terms. Titles differ only where the package appends a
    sevenChrDef note to the 7th character's meaning ("..., stable/Old central retinal vein occlusion")."""
    icd = pytest.importorskip("simple_icd_10_cm")
    fy2026 = code_releases()[0]
    codes = list(fy2026.codes())
    package = [code if len(code) <= 3 else f"{code[:3]}.{code[3:]}" for code in icd.get_all_codes(False)
               if icd.is_category_or_subcategory(code) or icd.is_extended_subcategory(code)]
    assert codes == list(dict.fromkeys(package))
    for code in codes:
        entry = fy2026.entry(code)
        assert entry is not None
        parent = icd.get_parent(code) if not icd.is_category(code) else None
        assert (entry.parent, entry.billable) == (parent or None, icd.is_leaf(code)), code
        assert entry.inclusion_terms == tuple(icd.get_inclusion_term(code)) + tuple(icd.get_includes(code)), code
        title = icd.get_description(code)
        assert entry.description == title or title.startswith(f"{entry.description}/"), code


def test_a_code_extends_the_longest_code_it_begins_with() -> None:
    fy2026, fy2027 = code_releases()
    assert fy2026.entry("E11.22").parent == "E11.2"  # type: ignore[union-attr]
    assert fy2026.entry("E11").parent is None  # type: ignore[union-attr]
    assert fy2026.entry("T78.40XA").parent == "T78.40"  # type: ignore[union-attr]  # X only holds the place
    assert fy2027.entry("O31.40X0").parent == "O31.40"  # type: ignore[union-attr]  # new in FY2027
    assert "S82.001A" in fy2026.children("S82.001")
    assert fy2026.entry("E1122") is None, "the reader's codes are dotted"


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


@pytest.mark.parametrize("directory", ["notes", "holdout", "holdout2", "holdout3", "holdout4"])
def test_every_benchmark_label_is_billable_on_its_date_of_service(directory: str) -> None:
    for path in sorted((BENCH / directory).glob("*.json")):
        case = json.loads(path.read_text())
        release = release_for(dt.date.fromisoformat(case["date_of_service"]))
        assert [c for c in case["expected_codes"] if not release.billable(c)] == [], case["id"]
