"""ICD-10-CM releases through the running stack: today's claims code against FY2027 without a coder.

The stack ships FY2026 (simple-icd-10-cm) and FY2027 (FY2026 with CMS's addenda applied) and intake
refuses future dates, so "no release covers the date of service" is driven here with a date before
FY2026 (September 2025): the same path as next October's, from the other side (next October itself is
covered by tests/unit/coding_edits and tests/unit/intake/test_icd10cm.py). The scrubber later stops
such an old claim for timely filing; what matters here is that coding let it go on.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.admin_api import assert_problem
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.support.coding_review import coding_of, coding_reaching
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e

FY2026 = "ICD-10-CM FY2026 (April 1, 2026 update)"
FY2027 = "ICD-10-CM FY2027"
BEFORE_ANY_RELEASE = "2025-09-15"  # FY2025: not loaded
SUBMITTED_OR_LATER = {"submitted", "accepted", "paid", "partially_paid"}
PAST_CODING = {"coded", "needs_correction", *SUBMITTED_OR_LATER}


async def posted(api: httpx.AsyncClient, stack: dict[str, str], **changes: Any) -> str:
    response = await post_encounter(api, stack, encounter_for("SIMPAY", **changes))
    assert response.status_code == 202, response.text
    return response.json()["claim_id"]


def edit_ids(coding: dict[str, Any]) -> dict[str, str]:
    return {edit["edit_id"]: edit["severity"] for edit in coding["edits"]}


async def test_a_clean_encounter_from_last_week_is_submitted_without_a_coder(api, stack) -> None:
    claim_id = await posted(api, stack)  # dated a week ago, with the example's note
    await claim_reaching(api, stack, claim_id, SUBMITTED_OR_LATER)
    coding = await coding_of(api, stack, claim_id)
    assert coding["status"] == "coded" and coding["review"] is None and coding["reasons"] == []
    assert coding["code_sets"] == {"icd10cm": FY2027, "icd10cm_assumed": False}
    assert not {"COD-ICD-NO-CODESET", "COD-ICD-RELEASE-ASSUMED"} & set(edit_ids(coding))
    events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]
    assert "claim.coding_review_required" not in {event["type"] for event in events}


async def test_a_code_fy2027_added_is_billed_today(api, stack) -> None:
    claim_id = await posted(api, stack, diagnoses=["E11.65", "C78.31"], clinical_note=None)
    await claim_reaching(api, stack, claim_id, SUBMITTED_OR_LATER)
    assert (await coding_of(api, stack, claim_id))["code_sets"]["icd10cm"] == FY2027


async def test_a_code_fy2027_deleted_is_refused_for_today_and_billed_for_september(api, stack) -> None:
    today = encounter_for("SIMPAY", diagnoses=["E11.65", "T52.8X2D"], clinical_note=None)
    problem = assert_problem(await post_encounter(api, stack, today), 422)
    assert problem["errors"] == [{"pointer": "/diagnoses/1", "detail": (
        "is not an ICD-10-CM code in ICD-10-CM FY2027: it was deleted for dates of service from 2026-10-01; "
        "report the code that replaces it")}]

    claim_id = await posted(api, stack, diagnoses=["E11.65", "T52.8X2D"], clinical_note=None,
                            date_of_service="2026-09-15")
    await claim_reaching(api, stack, claim_id, SUBMITTED_OR_LATER)
    coding = await coding_of(api, stack, claim_id)
    assert coding["code_sets"] == {"icd10cm": FY2026, "icd10cm_assumed": False}
    assert [d["code"] for d in coding["diagnoses"]] == ["E11.65", "T52.8X2D"]


async def assumed_claims_counted(stack: dict[str, str], tenant_id: str) -> dict[str, float]:
    """claimline_coding_icd10cm_release_assumed_total for the tenant, by held."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{stack['CODING_URL']}/metrics")).text
    return {sample.labels["held"]: sample.value for family in text_string_to_metric_families(text)
            for sample in family.samples if sample.name == "claimline_coding_icd10cm_release_assumed_total"
            and sample.labels.get("tenant_id") == tenant_id and sample.labels.get("release") == FY2026}


async def test_with_no_release_for_the_date_coding_assumes_the_nearest_warns_counts_and_goes_on(api, stack) -> None:
    before = await assumed_claims_counted(stack, "dev-practice")
    claim_id = await posted(api, stack, date_of_service=BEFORE_ANY_RELEASE, clinical_note=None)
    await claim_reaching(api, stack, claim_id, PAST_CODING - {"coded"})
    coding = await coding_of(api, stack, claim_id)
    assert coding["status"] == "coded" and coding["review"] is None
    assert coding["code_sets"] == {"icd10cm": FY2026, "icd10cm_assumed": True}
    [assumed] = [edit for edit in coding["edits"] if edit["edit_id"] == "COD-ICD-RELEASE-ASSUMED"]
    assert assumed["severity"] == "warning" and assumed["message"].startswith(
        f"No ICD-10-CM release is loaded for FY2025, which covers the date of service: the diagnoses were checked "
        f"against {FY2026} (2025-10-01 to 2026-09-30), the nearest loaded")

    counted = await eventually(lambda: assumed_claims_counted(stack, "dev-practice"),
                               lambda now: now.get("false", 0) > before.get("false", 0), "the assumption metric")
    assert counted.get("true", 0) == before.get("true", 0)
    async with httpx.AsyncClient(timeout=15, headers={"Authorization": f"Bearer {stack['ADMIN_TOKEN']}"}) as admin:
        dashboard = (await admin.get(f"{stack['CONSOLE_URL']}/")).text
    assert "Claims coded against an assumed release" in dashboard and FY2026 in dashboard
    assert f"Latest loaded: {FY2027}, dates of\n    service through 2027-09-30" in dashboard


async def test_with_no_release_for_the_date_a_code_the_nearest_lacks_holds_the_claim(api, stack) -> None:
    # C78.31 is new in FY2027: FY2026, the release assumed for September 2025, does not have it.
    claim_id = await posted(api, stack, date_of_service=BEFORE_ANY_RELEASE, diagnoses=["E11.65", "C78.31"],
                            clinical_note=None)
    coding = await coding_reaching(api, stack, claim_id, "coding_review")
    assert edit_ids(coding)["COD-ICD-ASSUMED-UNKNOWN"] == "error"
    assert any(reason.startswith("COD-ICD-ASSUMED-UNKNOWN: C78.31 is not in ICD-10-CM FY2026 (April 1, 2026 "
                                 "update), the release assumed for FY2025") for reason in coding["reasons"])
