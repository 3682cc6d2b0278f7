"""Which ICD-10-CM release a claim was checked against, and the metrics that tell operations when a
date of service had no release of its own (coding then assumes the nearest: see domain/edits).

    claimline_coding_icd10cm_latest_release_days_left{release, effective_through}
        days of service left in the latest loaded release; negative once today is past it (load the next year)
    claimline_coding_icd10cm_release_assumed_total{release, held, tenant_id}
        claims coded against a release assumed for their date of service, held for a coder or not
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from shared.icd10cm import configured_release_entries, release_used
from shared.metrics import meter, observe

ASSUMED_COUNTER = "claimline.coding.icd10cm.release_assumed"
DAYS_LEFT_GAUGE = "claimline.coding.icd10cm.latest_release_days_left"
claims_on_assumed_release = meter.create_counter(
    ASSUMED_COUNTER, unit="{claim}",
    description="Claims coded against the nearest ICD-10-CM release because none loaded covers their date of service")


def code_sets_used(date_of_service: dt.date) -> dict[str, Any]:
    """The ICD-10-CM release a date of service is checked against, as stored with the claim's coding."""
    used = release_used(configured_release_entries(), date_of_service)
    if used is None:
        return {"icd10cm": None, "icd10cm_assumed": False}
    entry, assumed = used
    return {"icd10cm": entry.name, "icd10cm_assumed": assumed}


def count_if_assumed(code_sets: dict[str, Any], tenant_id: str, held: bool) -> None:
    """Count a claim coded on an assumed release (a metric label set: release, held, tenant; never PHI)."""
    if code_sets.get("icd10cm_assumed"):
        claims_on_assumed_release.add(1, {"release": str(code_sets["icd10cm"]), "held": str(held).lower(),
                                          "tenant_id": tenant_id})


def observe_release_coverage(today: Callable[[], dt.date] = dt.date.today) -> None:
    """Register the days-left gauge (read at each scrape, from the manifest's names and dates only)."""

    def read() -> Iterable[tuple[float, dict[str, str]]]:
        entries = configured_release_entries()
        if not entries:
            return []
        latest = max(entries, key=lambda entry: entry.effective_through)
        return [((latest.effective_through - today()).days,
                 {"release": latest.name, "effective_through": latest.effective_through.isoformat()})]

    observe(DAYS_LEFT_GAUGE, "Days of service left in the latest loaded ICD-10-CM release (negative: none covers "
            "today, claims are coded against it on an assumption)", "{day}", read)
