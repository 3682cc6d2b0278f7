"""999 and 277CA handling through the running stack: reasons, warnings, bad input, unmatched acks, repeats."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from shared.webhooks import new_message_id
from tests.e2e.admin_api import assert_problem
from tests.e2e.conftest import claim_reaching, post_encounter, webhook_body
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import _envelope, ack_277ca, ack_999
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e

PHI = ("QUILLFEATHER", "ZEBEDIAH", "MBRE2E0001")  # the names and member id the hand-built 277CA carries


def rejecting_277ca(patient_control_number: str, status: str = "A7:562:85") -> str:
    """A 277CA rejecting one claim with the given STC01 (no payer claim control number)."""
    accepted = ack_277ca(patient_control_number)
    return re.sub(r"STC\*A2:20:PR\*(\d{8})\*WQ\*", rf"STC*{status}*\1*U*", accepted)


def warning_999(group_control_number: int, transaction_set: int) -> str:
    """A 999 accepting our transaction set with errors noted: an IK3/IK4 that echoes a (fake) bad value."""
    body = [f"AK1*HC*{group_control_number}*005010X222A1", f"AK2*837*{transaction_set:04d}*005010X222A1",
            "IK3*NM1*8*2010BA*8", "IK4*9*67*6*QUILLFEATHER", "IK5*E", "AK9*E*1*1*1"]
    return _envelope("FA", "005010X231A1", body, st03=True)


async def new_claim(api: httpx.AsyncClient, stack: dict[str, str], payer: str) -> str:
    response = await post_encounter(api, stack, encounter_for(payer))
    assert response.status_code == 202, response.text
    return response.json()["claim_id"]


async def submission_of(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> dict[str, Any]:
    response = await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")
    assert response.status_code == 200, response.text
    return response.json()["submissions"][-1]


async def acknowledgement(api: httpx.AsyncClient, stack: dict[str, str], delivery_id: str) -> dict[str, Any]:
    response = await api.get(f"{stack['SUBMISSION_URL']}/v1/acknowledgements/{delivery_id}")
    assert response.status_code == 200, response.text
    return response.json()


def pcn_of(claim_id: str) -> str:
    return claim_id.replace("-", "")[:20].upper()


async def test_malformed_277ca_is_kept_with_its_parse_error_and_the_claim_is_unchanged(
        api, stack, database, post_webhook):
    claim_id = await new_claim(api, stack, "SIMACK")
    await claim_reaching(api, stack, claim_id, {"accepted"})
    before = await submission_of(api, stack, claim_id)
    whole = rejecting_277ca(pcn_of(claim_id))
    truncated = whole[: whole.index("DTP*472")]  # the claim's status is there, but no SE/GE/IEA
    msg_id = new_message_id()
    url = f"{stack['SUBMISSION_URL']}/v1/webhooks/clearinghouse"
    problem = assert_problem(await post_webhook(url, webhook_body("x12.277ca", truncated), msg_id=msg_id), 422)
    assert problem["delivery_id"] == msg_id
    row = await database.fetchrow("SELECT x12, outcome, parse_error FROM submission.acknowledgements "
                                  "WHERE delivery_id = $1", msg_id)
    assert row["x12"] == truncated and row["outcome"] == "parse_error"
    assert "segment" in row["parse_error"]
    # Unreadable, it names no tenant's claim: the operator's to look at, no tenant's.
    assert_problem(await api.get(f"{stack['SUBMISSION_URL']}/v1/acknowledgements/{msg_id}"), 404)
    operator = {"Authorization": f"Bearer {stack['ADMIN_TOKEN']}"}
    shown = (await api.get(f"{stack['SUBMISSION_URL']}/v1/admin/acknowledgements/{msg_id}", headers=operator)).json()
    assert (shown["outcome"], shown["parse_error"], shown["results"]) == ("parse_error", row["parse_error"], [])
    for phi in PHI:
        assert phi not in str(problem) and phi not in row["parse_error"] and phi not in str(shown)
    assert await submission_of(api, stack, claim_id) == before
    assert (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")).json()["status"] == "accepted"


async def test_a_rejecting_277ca_sends_the_claim_back_with_the_mapped_reason_once(api, stack, post_webhook):
    claim_id = await new_claim(api, stack, "SIMACK")
    await claim_reaching(api, stack, claim_id, {"accepted"})
    document = rejecting_277ca(pcn_of(claim_id))
    url = f"{stack['SUBMISSION_URL']}/v1/webhooks/clearinghouse"
    first_id, second_id = new_message_id(), new_message_id()
    first = await post_webhook(url, webhook_body("x12.277ca", document), msg_id=first_id)
    assert first.json() == {"delivery_id": first_id, "outcome": "applied"}
    # The same acknowledgement under a new webhook id (a clearinghouse resend) applies once.
    again = await post_webhook(url, webhook_body("x12.277ca", document), msg_id=second_id)
    assert again.json() == {"delivery_id": second_id, "outcome": "duplicate"}

    await claim_reaching(api, stack, claim_id, {"rejected"})
    events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]
    [rejected] = [e for e in events if e["type"] == "claim.rejected"]
    summary = rejected["summary"]
    assert (summary["stage"], summary["status_category"], summary["status_code"]) == ("277CA", "A7", "562")
    assert summary["reason"] == ("277CA rejected the claim: A7 rejected for invalid information: "
                                 "562 entity's national provider identifier (NPI) (billing provider)")
    submission = await submission_of(api, stack, claim_id)
    assert submission["status"] == "rejected" and submission["ack_277ca"]["reason"] in summary["reason"]
    shown = await acknowledgement(api, stack, first_id)
    [result] = shown["results"]
    assert (result["claim_id"], result["status"], result["accepted"], result["applied"]) == (claim_id, "A7", False,
                                                                                           True)


async def test_simulated_payer_rejection_reason_reaches_the_timeline(api, stack):
    claim_id = await new_claim(api, stack, "SIMREJ")
    await claim_reaching(api, stack, claim_id, {"rejected"})

    async def rejection() -> list[dict[str, Any]]:
        events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]
        return [e["summary"] for e in events if e["type"] == "claim.rejected"]

    [summary] = await eventually(rejection, lambda found: len(found) == 1, "the claim.rejected event")
    assert summary["reason"] == ("277CA rejected the claim: A3 returned as unprocessable: "
                                 "21 missing or invalid information")


async def test_999_accepted_with_errors_keeps_the_claim_and_records_warnings(api, stack, post_webhook):
    claim_id = await new_claim(api, stack, "SIMACK")
    await claim_reaching(api, stack, claim_id, {"accepted"})
    submission = await submission_of(api, stack, claim_id)
    control_number = int(submission["interchange_control_number"])
    msg_id = new_message_id()
    response = await post_webhook(f"{stack['SUBMISSION_URL']}/v1/webhooks/clearinghouse",
                                  webhook_body("x12.999", warning_999(control_number, control_number)), msg_id=msg_id)
    assert response.json() == {"delivery_id": msg_id, "outcome": "applied"}
    after = await submission_of(api, stack, claim_id)
    assert (after["status"], after["ack_999"]) == ("accepted", "E")
    # The submission lists every ack result: the simulator's 999 and 277CA, then this one's warnings.
    assert {(a["kind"], a["status"], a["applied"]) for a in after["acknowledgements"]} == {
        ("x12.999", "A", True), ("x12.277ca", "A2", True), ("x12.999", "E", True)}
    [result] = (await acknowledgement(api, stack, msg_id))["results"]
    assert (result["status"], result["accepted"], result["applied"]) == ("E", True, True)
    assert result["reasons"] == ["NM1 segment at position 8 in loop 2010BA: segment has data element errors; "
                                 "element 09 (data element 67): invalid character in data element"]
    assert "QUILLFEATHER" not in str(result)
    assert (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")).json()["status"] == "accepted"


@pytest.mark.parametrize("kind", ["x12.277ca", "x12.999"])
async def test_an_ack_for_an_unknown_claim_lands_in_the_unmatched_queue(api, stack, post_webhook, kind):
    reference = "E2EUNKNOWN" + uuid.uuid4().hex[:10].upper()
    group = 900_000_000 + uuid.uuid4().int % 99_999_999
    document = ack_277ca(reference) if kind == "x12.277ca" else ack_999(group)
    msg_id = new_message_id()
    response = await post_webhook(f"{stack['SUBMISSION_URL']}/v1/webhooks/clearinghouse",
                                  webhook_body(kind, document), msg_id=msg_id)
    assert response.json() == {"delivery_id": msg_id, "outcome": "unmatched"}
    operator = {"Authorization": f"Bearer {stack['ADMIN_TOKEN']}"}
    queue = (await api.get(f"{stack['SUBMISSION_URL']}/v1/acknowledgements/unmatched", headers=operator,
                           params={"limit": 500})).json()["acknowledgements"]
    [listed] = [a for a in queue if a["delivery_id"] == msg_id]
    expected = ({"kind": "patient_control_number", "reference": reference} if kind == "x12.277ca"
                else {"kind": "group_control_number", "reference": str(group)})
    assert (listed["kind"], listed["outcome"], listed["unmatched_references"]) == (kind, "unmatched", [expected])
    assert "x12" not in listed and not any(phi in str(queue) for phi in PHI)
    # It names no claim of any tenant we know, so it is the operator's: no tenant reads it.
    assert_problem(await api.get(f"{stack['SUBMISSION_URL']}/v1/acknowledgements/{msg_id}"), 404)


async def test_the_unmatched_queue_is_the_operators_and_an_unknown_id_is_404(anonymous, api, stack):
    url = f"{stack['SUBMISSION_URL']}/v1/acknowledgements/unmatched"
    assert_problem(await anonymous.get(url), 401)
    assert_problem(await api.get(url), 401)  # a tenant's key is not the admin token
    assert_problem(await api.get(f"{stack['SUBMISSION_URL']}/v1/acknowledgements/{new_message_id()}"), 404)
