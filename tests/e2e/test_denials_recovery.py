"""Working denials on the running stack: appeal and overturn, write-off approval, correction, the feedback loop.

Each test works in a tenant of its own (tests.e2e.denials_api), so the scrubber edits it accepts and the
patterns it counts never touch other tests' claims.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.admin_api import admin_client, assert_problem, issue_key, tenant_with_payee
from tests.e2e.conftest import claim_reaching
from tests.e2e.denials_api import NO_CLAIM, denial_of, new_claim, payer_claim_number, timeline_types
from tests.e2e.denials_api import tenant_api as tenant_api  # a fixture
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import billed_claim, era_835, pyx12_errors
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e


async def test_an_appeal_gets_a_deadline_and_a_letter_and_a_later_835_overturns_it(
        tenant_api: httpx.AsyncClient, stack: dict[str, str]) -> None:
    api = tenant_api
    claim_id = await new_claim(api, stack, "SIMDNY", prior_authorization="AUTH-77")  # so: CO-50, not CO-197
    denial = await denial_of(api, stack, claim_id)
    assert denial["category"] == "medical_necessity" and denial["reason_codes"] == ["CO-50"]
    assert denial["remark_codes"] == ["N115"] and "Local Coverage Determination" in denial["root_cause"]
    assert {line["reason_code"] for line in denial["lines"]} == {"50"} and len(denial["lines"]) == 2
    denied_on = dt.date.fromisoformat(denial["created_at"][:10])

    drafted = await api.post(f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/appeals",
                             json={"level": "first", "created_by": "casey"})

    assert drafted.status_code == 201, drafted.text
    appeal = drafted.json()
    assert appeal["status"] == "drafted" and appeal["level"] == "first"
    assert appeal["deadline"] == (denied_on + dt.timedelta(days=120)).isoformat()  # SIMDNY: redetermination
    assert appeal["evidence_source"] == "coding" and appeal["appealed_amount"] == denial["denied_amount"]
    letter = await api.get(f"{stack['DENIALS_URL']}{appeal['letter_url']}")
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF-") and len(letter.content) > 1500
    again = await api.post(f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/appeals",
                           json={"level": "first", "created_by": "casey"})
    assert_problem(again, 409)

    sent = await api.post(f"{stack['DENIALS_URL']}/v1/appeals/{appeal['appeal_id']}/send", json={"sent_by": "casey"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent" and sent.json()["override_reason"] is None
    await claim_reaching(api, stack, claim_id, {"appealed"})

    overturned = await api.post(f"{stack['CLEARINGHOUSE_URL']}/v1/appeals", json={
        "payer_claim_control_number": await payer_claim_number(api, stack, claim_id)})
    assert overturned.status_code == 202, overturned.text

    async def appeal_now() -> dict[str, Any]:
        return (await api.get(f"{stack['DENIALS_URL']}/v1/appeals/{appeal['appeal_id']}")).json()

    won = await eventually(appeal_now, lambda a: a["status"] != "sent", "the appeal to be decided", 90)
    assert won["status"] == "won" and won["overturned_amount"] == denial["denied_amount"]
    resolved = await denial_of(api, stack, claim_id)
    assert resolved["status"] == "resolved" and resolved["resolution"] == "overturned"
    assert resolved["recovered_amount"] == denial["denied_amount"]
    await claim_reaching(api, stack, claim_id, {"paid"})
    assert "claim.appeal_decided" in await timeline_types(api, stack, claim_id)
    analytics = (await api.get(f"{stack['DENIALS_URL']}/v1/denials/analytics", params={"by": "payer"})).json()
    assert analytics["summary"]["overturn_rate"] == 1.0
    assert Decimal(analytics["summary"]["dollars_recovered"]) == Decimal(denial["denied_amount"])


async def test_a_write_off_above_the_limit_waits_for_another_credentials_approval(stack: dict[str, str]) -> None:
    # Requester and approver are the credentials that call, never names in the body: two keys of one tenant.
    async with admin_client(stack) as admin:
        requester = await tenant_with_payee(admin, stack)  # its 835s are routed to it
        approver = await issue_key(admin, requester.tenant_id)
    async with httpx.AsyncClient(headers=requester.headers(), timeout=20) as api, \
            httpx.AsyncClient(headers=approver.headers(), timeout=20) as second:
        await eventually(lambda: second.get(f"{stack['DENIALS_URL']}/v1/denials"), lambda r: r.status_code == 200,
                         "denials to know the second key")
        encounter_lines = encounter_for("SIMDNY")["service_lines"]
        for line in encounter_lines:
            line["charge"] = "400.00"  # 800 in all: above the default 500 approval limit
        claim_id = await new_claim(api, stack, "SIMDNY", service_lines=encounter_lines,
                                   billing_provider=requester.billing_provider())
        denial = await denial_of(api, stack, claim_id)
        assert denial["denied_amount"] == "800.00"
        url = f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/write-offs"
        assert_problem(await api.post(url, json={"reason_code": "non_covered", "requested_by": "alice"}), 422)

        requested = await api.post(url, json={"reason_code": "non_covered"})

        assert requested.status_code == 201, requested.text
        write_off = requested.json()
        assert write_off["status"] == "pending_approval" and write_off["amount"] == "800.00"
        assert write_off["requested_by"] == f"api_key:{requester.key_id}"
        assert (await denial_of(api, stack, claim_id))["status"] == "pending_write_off"
        pending = (await api.get(f"{stack['DENIALS_URL']}/v1/write-offs", params={"status": "pending_approval"}))
        assert [w["write_off_id"] for w in pending.json()["write_offs"]] == [write_off["write_off_id"]]
        approve_url = f"{stack['DENIALS_URL']}/v1/write-offs/{write_off['write_off_id']}/approve"
        assert_problem(await api.post(approve_url, json={"note": "I asked, I approve"}), 403)
        assert_problem(await api.post(approve_url, json={"decided_by": "bob"}), 422)  # a name changes nothing
        assert_problem(await api.post(approve_url), 403)

        approved = await second.post(approve_url, json={"note": "plan excludes the service"})

        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
        assert approved.json()["decided_by"] == f"api_key:{approver.key_id}"
        closed = await denial_of(api, stack, claim_id)
        assert closed["status"] == "written_off" and closed["resolution"] == "written_off"
        await claim_reaching(api, stack, claim_id, {"closed"})


async def test_correct_and_resubmit_sends_the_fix_to_coding(tenant_api: httpx.AsyncClient,
                                                            stack: dict[str, str]) -> None:
    api = tenant_api
    claim_id = await new_claim(api, stack, "SIMDNY")
    denial = await denial_of(api, stack, claim_id)
    url = f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/correct"
    assert_problem(await api.post(url, json={"route": "billing", "reason": "x"}), 422)
    assert_problem(await api.post(f"{stack['DENIALS_URL']}/v1/denials/{NO_CLAIM}/correct",
                                  json={"route": "coding", "reason": "x"}), 404)

    corrected = await api.post(url, json={"route": "coding", "reason": "modifier 25 unsupported; recode the visit"})

    assert corrected.status_code == 202, corrected.text
    assert corrected.json()["status"] == "correcting"
    await eventually(lambda: timeline_types(api, stack, claim_id), lambda types: "claim.correction_requested" in types,
                     "claim.correction_requested on the claim's timeline")
    assert_problem(await api.post(url, json={"route": "coding", "reason": "again"}), 409)


async def test_a_rejected_claim_is_worked_as_a_classified_rejection(tenant_api: httpx.AsyncClient,
                                                                    stack: dict[str, str]) -> None:
    api = tenant_api
    claim_id = await new_claim(api, stack, "SIMREJ")
    rejection = await denial_of(api, stack, claim_id)
    assert rejection["source"] == "277CA" and rejection["reason_codes"] == ["A3:21"]
    assert rejection["category"] == "missing_information" and rejection["preventable"] is True
    await claim_reaching(api, stack, claim_id, {"rejected"})  # worked as a denial, still shown as rejected


async def test_a_repeated_denial_pattern_proposes_an_edit_that_stops_the_next_claim_until_it_is_retired(
        tenant_api: httpx.AsyncClient, stack: dict[str, str]) -> None:
    api = tenant_api
    # No prior authorization: SIMDNY denies each line CO-197 (preventable), three times for the same codes.
    claim_ids = [await new_claim(api, stack, "SIMDNY") for _ in range(3)]
    for claim_id in claim_ids:
        denial = await denial_of(api, stack, claim_id)
        assert denial["category"] == "authorization" and denial["preventable"] is True

    async def proposals() -> list[dict[str, Any]]:
        return (await api.get(f"{stack['DENIALS_URL']}/v1/scrubber-proposals")).json()["proposals"]

    found = await eventually(proposals, lambda rows: any(p["procedure_code"] == "99214" for p in rows),
                             "a proposal for SIMDNY 99214 CO-197")
    [proposal] = [p for p in found if p["procedure_code"] == "99214"]
    assert proposal["payer_id"] == "SIMDNY" and proposal["reason_code"] == "197"
    assert proposal["occurrences"] >= 3 and proposal["status"] == "proposed"
    assert proposal["requires"] == "prior_authorization"

    queue = (await api.get(f"{stack['DENIALS_URL']}/v1/work-queue")).json()["items"]
    assert {item["claim_id"] for item in queue} == set(claim_ids)
    assert [item["priority"] for item in queue] == sorted((item["priority"] for item in queue), reverse=True)

    accepted = await api.post(f"{stack['DENIALS_URL']}/v1/scrubber-proposals/{proposal['proposal_id']}/accept",
                              json={"decided_by": "dana"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    async def learned() -> list[str]:
        response = await api.get(f"{stack['SUBMISSION_URL']}/v1/scrubber/learned-edits")
        return [edit["edit_id"] for edit in response.json()["edits"]]

    await eventually(learned, lambda ids: proposal["edit_id"] in ids, "submission to learn the accepted edit")
    stopped = await new_claim(api, stack, "SIMDNY")
    authorized = await new_claim(api, stack, "SIMDNY", prior_authorization="AUTH-9")

    await claim_reaching(api, stack, stopped, {"needs_correction"}, timeout=90)
    events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{stopped}/events")).json()["events"]
    [scrub_failed] = [e for e in events if e["type"] == "claim.scrub_failed"]
    assert proposal["edit_id"] in str(scrub_failed)
    await claim_reaching(api, stack, authorized, {"denied"}, timeout=90)  # the edit leaves authorized claims alone

    csv_text = (await api.get(f"{stack['DENIALS_URL']}/v1/denials/analytics",
                              params={"by": "procedure", "format": "csv"})).text
    assert csv_text.splitlines()[0] == "key,claims,denied,denial_rate,denied_amount"
    assert any(row.startswith("99214,") for row in csv_text.splitlines())

    # The payer drops its rule: the edit is retired, and the next such claim goes to the payer again.
    retire_url = f"{stack['DENIALS_URL']}/v1/scrubber-proposals/{proposal['proposal_id']}/retire"
    assert_problem(await api.post(retire_url, json={"retired_by": "dana"}), 422)
    assert_problem(await api.post(f"{stack['DENIALS_URL']}/v1/scrubber-proposals/{NO_CLAIM}/retire",
                                  json={"retired_by": "dana", "reason": "payer bulletin"}), 404)
    retired = await api.post(retire_url, json={"retired_by": "dana", "reason": "payer no longer requires it"})
    assert retired.status_code == 200, retired.text
    assert retired.json()["status"] == "retired" and retired.json()["retired_by"] == "dana"
    assert retired.json()["retirement_reason"] == "payer no longer requires it"
    again = await api.post(retire_url, json={"retired_by": "erin", "reason": "twice"})
    assert again.status_code == 200 and again.json()["retired_by"] == "dana"  # a repeat changes nothing

    await eventually(learned, lambda ids: proposal["edit_id"] not in ids, "submission to stop enforcing the edit")
    retired_edits = (await api.get(f"{stack['SUBMISSION_URL']}/v1/scrubber/learned-edits",
                                   params={"status": "retired"})).json()["edits"]
    assert [(e["edit_id"], e["status"], e["retirement_reason"]) for e in retired_edits] == [
        (proposal["edit_id"], "retired", "payer no longer requires it")]
    passes = await new_claim(api, stack, "SIMDNY")
    await claim_reaching(api, stack, passes, {"denied"}, timeout=90)  # scrubbed clean, sent, denied CO-197 again
    assert "claim.scrub_failed" not in await timeline_types(api, stack, passes)


async def test_work_queue_actions_assign_snooze_and_comment(tenant_api: httpx.AsyncClient,
                                                            stack: dict[str, str]) -> None:
    api = tenant_api
    claim_id = await new_claim(api, stack, "SIMDNY")
    denial = await denial_of(api, stack, claim_id)
    base = f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}"
    assert (await api.post(f"{base}/assign", json={"assignee": "erin"})).status_code == 200
    mine = (await api.get(f"{stack['DENIALS_URL']}/v1/work-queue", params={"assigned_to": "erin"})).json()["items"]
    assert [item["denial_id"] for item in mine] == [denial["denial_id"]]
    assert mine[0]["sla_state"] == "on_track" and mine[0]["days_to_deadline"] == 120

    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    assert (await api.post(f"{base}/snooze", json={"until": later})).status_code == 200
    assert (await api.get(f"{stack['DENIALS_URL']}/v1/work-queue")).json()["items"] == []
    assert (await api.post(f"{base}/comments", json={"author": "erin", "body": "called the payer"})).status_code == 201
    detail = (await api.get(base)).json()
    assert detail["assigned_to"] == "erin" and detail["comments"][0]["body"] == "called the payer"


async def test_practice_systems_can_subscribe_to_appeal_deadline_alerts(tenant_api: httpx.AsyncClient,
                                                                        stack: dict[str, str]) -> None:
    response = await tenant_api.post(f"{stack['INTAKE_URL']}/v1/webhook-endpoints", json={
        "url": "https://pms.example.com/hooks", "event_types": ["claim.appeal_deadline_approaching"]})
    assert response.status_code == 201, response.text
    assert response.json()["event_types"] == ["claim.appeal_deadline_approaching"]


async def test_an_unknown_carc_and_rarc_are_kept_raw_and_routed_to_review(
        tenant_api: httpx.AsyncClient, anonymous: httpx.AsyncClient, stack: dict[str, str]) -> None:
    api = tenant_api
    claim_id = await new_claim(api, stack, "SIMACK")  # acknowledged, never adjudicated: we send its 835
    await claim_reaching(api, stack, claim_id, {"accepted"})
    submissions = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()
    claim = billed_claim(submissions["submissions"][-1]["x12"])
    era = era_835(claim, f"E2E{uuid.uuid4().hex[:20].upper()}", allowed_fraction=Decimal("0"), copay=Decimal("0"))
    era = era.replace("CAS*CO*45*", "CAS*CO*977*").replace("AMT*B6*0~", "AMT*B6*0~\nLQ*HE*ZX901~")
    added = len(claim.lines)  # one LQ per line
    era = re.sub(r"SE\*(\d+)\*0001", lambda m: f"SE*{int(m.group(1)) + added}*0001", era)
    assert pyx12_errors(era) == []
    delivered = await anonymous.post(f"{stack['CLEARINGHOUSE_URL']}/v1/eras", content=era.encode())
    assert delivered.status_code == 202, delivered.text

    denial = await denial_of(api, stack, claim_id)

    assert denial["category"] == "unknown" and denial["review_required"] is True
    assert denial["reason_codes"] == ["CO-977"] and "CARC 977" in denial["unknown_codes"]
    assert "RARC ZX901" in denial["unknown_codes"] and denial["remark_codes"] == ["ZX901"]
    listed = (await api.get(f"{stack['DENIALS_URL']}/v1/denials", params={"review_required": "true"})).json()
    assert [d["denial_id"] for d in listed["denials"]] == [denial["denial_id"]]


async def test_a_lost_appeal_reopens_the_denial_and_the_next_level_counts_from_the_decision(
        tenant_api: httpx.AsyncClient, stack: dict[str, str]) -> None:
    api = tenant_api
    claim_id = await new_claim(api, stack, "SIMDNY", prior_authorization="AUTH-78")
    denial = await denial_of(api, stack, claim_id)
    appeals_url = f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/appeals"
    assert_problem(await api.post(appeals_url, json={"level": "second", "created_by": "casey"}), 409)
    first = (await api.post(appeals_url, json={"level": "first", "created_by": "casey"})).json()
    decision_url = f"{stack['DENIALS_URL']}/v1/appeals/{first['appeal_id']}/decision"
    assert_problem(await api.post(decision_url, json={"outcome": "lost"}), 409)  # not sent yet
    await api.post(f"{stack['DENIALS_URL']}/v1/appeals/{first['appeal_id']}/send", json={"sent_by": "casey"})

    lost = await api.post(decision_url, json={"outcome": "lost"})

    assert lost.status_code == 200, lost.text
    assert lost.json()["status"] == "lost" and lost.json()["overturned_amount"] == "0.00"
    assert (await denial_of(api, stack, claim_id))["status"] == "open"
    second = await api.post(appeals_url, json={"level": "second", "created_by": "casey"})
    assert second.status_code == 201, second.text
    decided_on = dt.date.fromisoformat(lost.json()["decided_at"][:10])
    assert second.json()["deadline"] == (decided_on + dt.timedelta(days=180)).isoformat()  # reconsideration
