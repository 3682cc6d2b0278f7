"""The console reads coding's ICD-10-CM metrics: days left in the latest release, claims coded on an assumption."""

from __future__ import annotations

import pytest

from services.console.domain.pipeline_health import icd10cm_coverage

FY2027 = 'release="ICD-10-CM FY2027",effective_through="2027-09-30"'


def metrics(days_left: int, *assumed: tuple[str, str, str, int]) -> str:
    lines = ["# TYPE claimline_coding_icd10cm_latest_release_days_left gauge",
             f"claimline_coding_icd10cm_latest_release_days_left{{{FY2027}}} {days_left}",
             "# TYPE claimline_coding_icd10cm_release_assumed_total counter"]
    lines += [f'claimline_coding_icd10cm_release_assumed_total{{release="{r}",held="{h}",tenant_id="{t}"}} {n}'
              for r, h, t, n in assumed]
    return "\n".join(lines) + "\n"


def test_assumed_claims_add_up_over_tenants_and_say_how_many_were_held() -> None:
    coverage = icd10cm_coverage(metrics(-3, ("ICD-10-CM FY2027", "false", "a", 5),
                                        ("ICD-10-CM FY2027", "true", "b", 2)))
    assert (coverage.latest_release, coverage.effective_through, coverage.days_left) == (
        "ICD-10-CM FY2027", "2027-09-30", -3)
    assert coverage.assumed_claims == {"ICD-10-CM FY2027": 7} and coverage.held_claims == 2
    assert coverage.state == "assumed"


@pytest.mark.parametrize("text, state", [
    (metrics(297), "ok"), (metrics(30), "ending"), (metrics(-1), "assumed"),
    (metrics(297, ("ICD-10-CM FY2026", "false", "a", 1)), "assumed"), (None, "unknown"),
])
def test_state(text: str | None, state: str) -> None:
    assert icd10cm_coverage(text).state == state
