"""The pre-submission scrubber on the running stack: a claim with errors is held, never sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e


def patient_control_number(claim_id: str) -> str:
    return claim_id.replace("-", "")[:20].upper()


async def clearinghouse_pcns(api: httpx.AsyncClient, stack: dict[str, str]) -> set[str]:
    """Every patient control number the clearinghouse has received."""
    response = await api.get(f"{stack['CLEARINGHOUSE_URL']}/v1/interchanges")
    assert response.status_code == 200, response.text
    return {claim["patient_control_number"] for interchange in response.json()["interchanges"]
            for claim in interchange["claims"]}


async def test_the_edit_library_is_listed_with_its_version(api: httpx.AsyncClient, anonymous: httpx.AsyncClient,
                                                           stack: dict[str, str]) -> None:
    url = f"{stack['SUBMISSION_URL']}/v1/scrubber/edits"
    assert (await anonymous.get(url)).status_code == 401

    response = await api.get(url)

    assert response.status_code == 200, response.text
    library = response.json()
    assert library["library_version"]
    edits = {edit["edit_id"]: edit for edit in library["edits"]}
    assert {"SCR-NPI-001", "SCR-TFL-001", "SCR-DX-001", "SCR-PCN-001"} <= set(edits)
    timely = edits["SCR-TFL-001"]
    assert timely["severity"] == "error" and timely["pointer"] == "/date_of_service"
    assert timely["message"] and timely["fix_hint"] and timely["effective_from"]


async def test_a_claim_past_timely_filing_needs_correction_and_is_never_sent(
        api: httpx.AsyncClient, stack: dict[str, str], database: asyncpg.Pool) -> None:
    # Past SIMPAY's 365-day filing limit, yet inside the shipped ICD-10-CM release (FY2026), so coding
    # passes it on and the scrubber is what stops it.
    stale_date = "2025-10-15"
    assert (dt.date.today() - dt.date.fromisoformat(stale_date)).days > 365
    stale = await post_encounter(api, stack, encounter_for("SIMPAY", date_of_service=stale_date))
    # Posted alongside: once this one reached the clearinghouse, the stale one had its chance too.
    fresh = await post_encounter(api, stack, encounter_for("SIMPAY"))
    assert stale.status_code == 202 and fresh.status_code == 202, (stale.text, fresh.text)
    stale_id, fresh_id = stale.json()["claim_id"], fresh.json()["claim_id"]

    claim = await claim_reaching(api, stack, stale_id, {"needs_correction"})

    assert claim["status"] == "needs_correction"
    timeline = await api.get(f"{stack['INTAKE_URL']}/v1/claims/{stale_id}/events")
    events: list[dict[str, Any]] = timeline.json()["events"]
    failed = [event for event in events if event["type"] == "claim.scrub_failed"]
    assert len(failed) == 1 and failed[0]["source"] == "submission"
    edits = failed[0]["summary"]["edits"]
    assert {"edit_id": "SCR-TFL-001", "severity": "error", "pointer": "/date_of_service"}.items() <= edits[0].items()
    assert all(edit["message"] and edit["fix_hint"] for edit in edits)
    assert stale_date not in str(edits)  # pointers name the field, never its value
    assert "claim.submitted" not in {event["type"] for event in events}

    await eventually(lambda: clearinghouse_pcns(api, stack), lambda pcns: patient_control_number(fresh_id) in pcns,
                     "the fresh claim to reach the clearinghouse")
    assert patient_control_number(stale_id) not in await clearinghouse_pcns(api, stack)
    assert (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{stale_id}/submissions")).status_code == 404
    async with database.acquire() as connection:
        status = await connection.fetchval("SELECT status FROM submission.billing_claims WHERE claim_id = $1",
                                           stale_id)
        queued = await connection.fetchval("SELECT count(*) FROM submission.submissions WHERE claim_id = $1",
                                           stale_id)
    assert (status, queued) == ("needs_correction", 0)
