"""Follow-up through the running stack: an accepted claim that is never paid becomes overdue, gets a 276,
and the clearinghouse's 277 answer is recorded; an 835 takes the claim off the follow-up queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from services.submission.domain.claim_status_response_277 import parse_277
from tests.e2e.admin_api import assert_problem
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import billed_claim, era_835, first, segments
from tests.support.encounters import encounter_for
from tests.unit.submission_followup.x212_structure import problems_276

pytestmark = pytest.mark.e2e

SIMACK_REMITTANCE_DAYS = 14  # services/submission/domain/follow_up_payers.json


@pytest.fixture(scope="module")
async def never_paid(api: httpx.AsyncClient, stack: dict[str, str]) -> dict[str, Any]:
    """A claim for the acknowledge-only payer: accepted by its 277CA, no 835 ever comes."""
    response = await post_encounter(api, stack, encounter_for("SIMACK"))
    assert response.status_code == 202, response.text
    claim_id = response.json()["claim_id"]
    await claim_reaching(api, stack, claim_id, {"accepted"})
    submission = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()
    return {"claim_id": claim_id, "submission": submission["submissions"][-1]}


def later(days: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


async def queue(api: httpx.AsyncClient, stack: dict[str, str], as_of: str) -> dict[str, dict[str, Any]]:
    response = await api.get(f"{stack['SUBMISSION_URL']}/v1/follow-up", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return {c["claim_id"]: c for c in response.json()["claims"]}


async def inquiries(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> list[dict[str, Any]]:
    response = await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/status-inquiries")
    assert response.status_code == 200, response.text
    return response.json()["inquiries"]


async def run(api: httpx.AsyncClient, stack: dict[str, str], as_of: str) -> dict[str, Any]:
    response = await api.post(f"{stack['SUBMISSION_URL']}/v1/follow-up/run", json={"as_of": as_of, "limit": 500})
    assert response.status_code == 200, response.text
    return response.json()


async def test_accepted_claim_is_not_overdue_before_the_payers_days(api, stack, never_paid):
    claim_id = never_paid["claim_id"]
    assert claim_id not in await queue(api, stack, later(0))
    assert claim_id not in await queue(api, stack, later(SIMACK_REMITTANCE_DAYS - 1))


async def test_never_paid_claim_is_followed_up_with_a_276_and_its_277_recorded(api, stack, never_paid):
    claim_id, submission = never_paid["claim_id"], never_paid["submission"]
    as_of = later(SIMACK_REMITTANCE_DAYS + 1)
    overdue = (await queue(api, stack, as_of))[claim_id]
    assert (overdue["payer_id"], overdue["reason"], overdue["submission_status"]) == ("SIMACK", "no_835", "accepted")
    assert overdue["days_outstanding"] in (SIMACK_REMITTANCE_DAYS, SIMACK_REMITTANCE_DAYS + 1)
    assert overdue["last_inquiry"] is None and overdue["last_277_status"] is None

    swept = await run(api, stack, as_of)
    [ours] = [i for i in swept["inquiries"] if i["claim_id"] == claim_id]
    assert (ours["reason"], ours["outcome"]) == ("no_835", "answered")

    [inquiry] = await inquiries(api, stack, claim_id)
    assert inquiry["inquiry_id"] == ours["inquiry_id"] and inquiry["submission_id"] == submission["submission_id"]
    # pyx12 4.0.0 has no 005010X212 map (276 or usable 277): the TR3 layout check stands in for it.
    assert problems_276(inquiry["x12_276"]) == []
    billed = billed_claim(submission["x12"])
    trn = first(inquiry["x12_276"], "TRN")
    assert trn[2] == inquiry["trace_number"]
    assert ["REF", "EJ", billed.patient_control_number] in segments(inquiry["x12_276"])
    assert ["REF", "1K", submission["payer_claim_control_number"]] in segments(inquiry["x12_276"])
    assert first(inquiry["x12_276"], "NM1", "IL")[9] == billed.member_id
    # The simulator knows the claim: accepted, the payer never adjudicates it, so it is pending.
    [answer] = parse_277(inquiry["x12_277"])
    assert answer.trace_number == inquiry["trace_number"]
    assert (inquiry["status_category"], inquiry["status_code"], inquiry["outcome"]) == ("P1", "20", "answered")
    assert inquiry["status_text"] == "P1 pending: in process: 20 accepted for processing"
    assert inquiry["payer_claim_control_number"] == submission["payer_claim_control_number"]

    listed = (await queue(api, stack, as_of))[claim_id]
    assert listed["last_inquiry"]["inquiry_id"] == inquiry["inquiry_id"]
    assert listed["last_277_status"] == {"category": "P1", "status_code": "20", "text": inquiry["status_text"]}

    # Asked already: the same sweep again sends nothing for this claim until the re-inquiry interval passes.
    again = await run(api, stack, as_of)
    assert claim_id not in {i["claim_id"] for i in again["inquiries"]}
    assert len(await inquiries(api, stack, claim_id)) == 1


async def test_an_835_ends_follow_up(api, stack, anonymous, never_paid):
    claim_id, submission = never_paid["claim_id"], never_paid["submission"]
    era = era_835(billed_claim(submission["x12"]), f"E2EFU{claim_id.replace('-', '')[:20].upper()}")
    delivered = await anonymous.post(f"{stack['CLEARINGHOUSE_URL']}/v1/eras", content=era.encode())
    assert delivered.status_code == 202, delivered.text
    await claim_reaching(api, stack, claim_id, {"paid", "partially_paid"})
    as_of = later(60)
    await eventually(lambda: queue(api, stack, as_of), lambda found: claim_id not in found,
                     "submission to learn of the 835 (claim.remittance_posted)")
    before = len(await inquiries(api, stack, claim_id))
    swept = await run(api, stack, as_of)
    assert claim_id not in {i["claim_id"] for i in swept["inquiries"]}
    assert len(await inquiries(api, stack, claim_id)) == before


async def test_follow_up_needs_a_tenant(anonymous, stack):
    assert_problem(await anonymous.get(f"{stack['SUBMISSION_URL']}/v1/follow-up"), 401)
    assert_problem(await anonymous.post(f"{stack['SUBMISSION_URL']}/v1/follow-up/run", json={}), 401)
