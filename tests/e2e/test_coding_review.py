"""Coding through the running stack: clean claims flow on; a claim a coder must look at waits in the
review queue until a coder takes it, reads the note, overrides a code with a reason and resolves it;
then it is billed with the coder's codes, and every decision is on the claim's timeline."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import claim_reaching, post_encounter
from tests.support.coding_review import coding_of, coding_reaching, decide, reviews_url, timeline_types
from tests.support.encounters import CODED_DATE_OF_SERVICE, encounter_for

pytestmark = pytest.mark.e2e

DATE = CODED_DATE_OF_SERVICE  # a week ago: the ICD-10-CM release of today covers it
UNREADABLE_NOTE = "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} \\f0\\fs24 scanned visit note}"
AUDIT = {"claim.coding_review_required", "claim.coding_review_assigned", "claim.coding_decision_recorded",
         "claim.coded", "claim.submitted"}


async def posted(api: httpx.AsyncClient, stack: dict[str, str], **changes: Any) -> str:
    response = await post_encounter(api, stack, encounter_for("SIMPAY", **{"date_of_service": DATE, **changes}))
    assert response.status_code == 202, response.text
    return response.json()["claim_id"]


async def test_a_claim_without_a_note_is_coded_from_the_pms_codes_and_billed(api, stack):
    claim_id = await posted(api, stack, clinical_note=None)
    await claim_reaching(api, stack, claim_id, {"paid", "partially_paid"})
    coding = await coding_of(api, stack, claim_id)
    assert coding["status"] == "coded" and coding["note_status"] == "missing" and coding["review"] is None
    assert [(d["code"], d["source"], d["pointer"]) for d in coding["diagnoses"]] == [("E11.65", "pms", 1),
                                                                                     ("I10", "pms", 2)]
    assert [p["code"] for p in coding["procedures"]] == ["99214", "83036"]
    assert {"edit_id": "COD-NOTE-MISSING", "severity": "warning"}.items() <= coding["edits"][0].items()


async def test_an_unreadable_note_goes_to_a_coder_who_overrides_a_code_and_the_claim_is_billed(api, stack):
    claim_id = await posted(api, stack, clinical_note=UNREADABLE_NOTE)
    await claim_reaching(api, stack, claim_id, {"coding_review"})
    coding = await coding_reaching(api, stack, claim_id, "coding_review")
    assert any(reason.startswith("COD-NOTE-UNREADABLE") for reason in coding["reasons"])
    review_id = coding["review"]["review_id"]

    queue = (await api.get(reviews_url(stack), params={"claim_id": claim_id})).json()["reviews"]
    assert [(r["review_id"], r["status"], r["trigger"]) for r in queue] == [(review_id, "open", "coding")]

    refused = await decide(api, stack, review_id, action="accept", kind="diagnosis", code="I10", reason="per note")
    assert refused.status_code == 409 and "claim review" in refused.json()["detail"]
    taken = await api.post(reviews_url(stack, review_id, "assignment"))
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "assigned" and taken.json()["assigned_to"].startswith("api_key:")
    assert taken.json()["undecided"] == ["E11.65", "I10", "line 1 99214", "line 2 83036"]

    note = await api.get(reviews_url(stack, review_id, "note"))
    assert note.status_code == 200 and note.headers["cache-control"] == "no-store"
    assert note.json()["note"] == UNREADABLE_NOTE and note.json()["highlights"] == []

    bad = await decide(api, stack, review_id, action="override", kind="procedure", line_number=1, new_code="9921X",
                       reason="level per MDM")
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"] == [{"pointer": "/new_code", "detail": "new_code is not a CPT or HCPCS Level II code"}]
    for decision in ({"action": "accept", "kind": "diagnosis", "code": "E11.65"},
                     {"action": "accept", "kind": "diagnosis", "code": "I10"},
                     {"action": "override", "kind": "procedure", "line_number": 1, "new_code": "99213"},
                     {"action": "accept", "kind": "procedure", "line_number": 2}):
        answer = await decide(api, stack, review_id, reason="read the scanned note", **decision)
        assert answer.status_code == 200, answer.text
    resolved = await api.post(reviews_url(stack, review_id, "resolution"), json={})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and len(resolved.json()["decisions"]) == 4

    again = await api.post(reviews_url(stack, review_id, "resolution"), json={})
    assert again.status_code == 409 and again.json()["type"].endswith("/review-closed")

    await claim_reaching(api, stack, claim_id, {"paid", "partially_paid"})
    coding = await coding_of(api, stack, claim_id)
    assert coding["status"] == "coded" and coding["review"]["status"] == "resolved"
    assert [(p["code"], p["source"], p["status"]) for p in coding["procedures"]] == [
        ("99213", "coder", "overridden"), ("83036", "pms", "accepted")]
    submissions = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()
    assert "HC:99213" in submissions["submissions"][-1]["x12"]

    events = await timeline_types(api, stack, claim_id, AUDIT)
    types = [e["type"] for e in events]
    assert types.index("claim.coding_review_required") < types.index("claim.coding_review_assigned") \
        < types.index("claim.coding_decision_recorded") < types.index("claim.coded") < types.index("claim.submitted")
    assert types.count("claim.coding_decision_recorded") == 4


THIN_NOTE = ("Established patient, 11M, sore throat for two days, no fever. Rapid strep negative. "
             "Assessment: acute upper respiratory infection. Supportive care.")
URI_VISIT = {"diagnoses": ["J06.9"], "clinical_note": THIN_NOTE, "service_lines": [
    {"procedure_code": "99213", "modifiers": [], "units": 1, "charge": "95.00", "diagnosis_pointers": [1]}]}


async def test_a_note_that_supports_its_codes_is_coded_with_evidence_and_billed(api, stack):
    claim_id = await posted(api, stack)
    await claim_reaching(api, stack, claim_id, {"paid", "partially_paid"})
    coding = await coding_of(api, stack, claim_id)
    assert coding["status"] == "coded" and coding["note_status"] == "read" and coding["review"] is None
    note = encounter_for("SIMPAY")["clinical_note"]
    billed = [d for d in coding["diagnoses"] if d["source"] == "pms"]
    assert [d["code"] for d in billed] == ["E11.65", "I10"]
    assert all(d["status"] == "confirmed" and d["evidence"] for d in billed)
    # metformin in the plan: the guidelines' long-term use of oral hypoglycemics, added from the note
    added = [(d["code"], d["status"], d["source"]) for d in coding["diagnoses"] if d["source"] != "pms"]
    assert added == [("Z79.84", "added", "suggested")]
    assert "diabetes" in note[coding["diagnoses"][0]["evidence"][0]["start"]:
                              coding["diagnoses"][0]["evidence"][0]["end"]].lower()
    em = coding["procedures"][0]
    assert (em["code"], em["status"], em["em"]["supported_code"]) == ("99214", "confirmed", "99214")


async def test_an_over_coded_visit_waits_for_a_coder_who_lowers_the_level(api, stack):
    claim_id = await posted(api, stack, **URI_VISIT)
    coding = await coding_reaching(api, stack, claim_id, "coding_review")
    line = coding["procedures"][0]
    assert (line["status"], line["em"]["verdict"], line["em"]["supported_code"]) == ("overcoded", "overcoded", "99212")
    expected = "COD-EM-OVERCODED: line 1: 99213 billed, the note supports 99212"
    assert any(reason.startswith(expected) for reason in coding["reasons"])
    review_id = coding["review"]["review_id"]

    assert (await api.post(reviews_url(stack, review_id, "assignment"))).status_code == 200
    note = (await api.get(reviews_url(stack, review_id, "note"))).json()
    assert note["note"] == THIN_NOTE
    marked = {(h["kind"], h.get("code")): THIN_NOTE[h["start"]:h["end"]] for h in note["highlights"]}
    assert "upper respiratory infection" in marked[("diagnosis", "J06.9")].lower()
    assert ("procedure", "99213") in marked  # the E/M evidence

    answer = await decide(api, stack, review_id, action="override", kind="procedure", line_number=1, new_code="99212",
                          reason="straightforward MDM: one acute uncomplicated illness")
    assert answer.status_code == 200, answer.text
    assert answer.json()["undecided"] == []
    resolved = await api.post(reviews_url(stack, review_id, "resolution"), json={})
    assert resolved.status_code == 200, resolved.text

    await claim_reaching(api, stack, claim_id, {"paid", "partially_paid"})
    coding = await coding_of(api, stack, claim_id)
    assert [(p["code"], p["source"]) for p in coding["procedures"]] == [("99212", "coder")]
    decided = [e for e in await timeline_types(api, stack, claim_id, AUDIT) if e["type"].startswith("claim.coding_")]
    assert [e["type"] for e in decided] == ["claim.coding_review_required", "claim.coding_review_assigned",
                                            "claim.coding_decision_recorded"]


async def test_queue_problems_for_unknown_items_and_bad_requests(api, stack, anonymous):
    missing = await api.get(reviews_url(stack, str(uuid.uuid4())))
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert (await api.post(reviews_url(stack, "not-a-review", "assignment"))).status_code == 404
    unauthenticated = await anonymous.get(reviews_url(stack, str(uuid.uuid4()), "note"))
    assert unauthenticated.status_code == 401
    bad_body = await decide(api, stack, str(uuid.uuid4()), action="rename", kind="diagnosis", reason="x")
    assert bad_body.status_code == 422 and {e["pointer"] for e in bad_body.json()["errors"]} == {"/action", "/reason"}
    assert (await api.get(reviews_url(stack), params={"status": "everything"})).status_code == 422


async def test_the_queue_pages_oldest_first(api, stack):
    # Each claim reaches the queue before the next is posted: claims travel on different partitions, so three
    # posted at once can be opened in any order (one batch, or another partition read first).
    claim_ids = []
    for _ in range(3):
        claim_ids.append(await posted(api, stack, clinical_note="   "))
        await coding_reaching(api, stack, claim_ids[-1], "coding_review")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "payer_id": "SIMPAY", **({"cursor": cursor} if cursor else {})}
        page = (await api.get(reviews_url(stack), params=params)).json()
        seen += [r["claim_id"] for r in page["reviews"]]
        opened = [r["opened_at"] for r in page["reviews"]]
        assert opened == sorted(opened)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    mine = [claim_id for claim_id in seen if claim_id in claim_ids]
    assert mine == claim_ids


async def test_the_edit_catalogue_lists_every_rule(api, stack):
    edits = (await api.get(f"{stack['CODING_URL']}/v1/coding/edits")).json()["edits"]
    ids = {e["edit_id"] for e in edits}
    assert {"COD-NOTE-MISSING", "COD-DX-UNSUPPORTED", "COD-EM-OVERCODED", "COD-DENIAL"} <= ids
    assert all(e["severity"] in {"error", "warning"} and e["message"] and e["source"] for e in edits)
