"""Corrected claims through the running stack: a user's replacement (7) and void (8) of a paid claim, refusals
as problem+json, an intake encounter correction that is re-coded and re-billed, and the CMS-1500 PDF."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import first, pyx12_errors
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e
PAID = {"paid", "partially_paid"}
PROBLEM = "application/problem+json"


async def versions(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> list[dict[str, Any]]:
    response = await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")
    return response.json().get("submissions", []) if response.status_code == 200 else []


async def version_reaching(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str, claim_version: int,
                           statuses: set[str], timeout: float = 60) -> dict[str, Any]:
    """The claim version once its submission status is one of statuses."""
    found = await eventually(lambda: versions(api, stack, claim_id),
                             lambda rows: any(r["claim_version"] == claim_version and r["status"] in statuses
                                              for r in rows),
                             f"version {claim_version} of {claim_id} to reach {sorted(statuses)}", timeout)
    return next(r for r in found if r["claim_version"] == claim_version)


async def new_claim(api: httpx.AsyncClient, stack: dict[str, str], payer: str, statuses: set[str]) -> str:
    response = await post_encounter(api, stack, encounter_for(payer))
    assert response.status_code == 202, response.text
    claim_id = response.json()["claim_id"]
    await claim_reaching(api, stack, claim_id, statuses)
    return claim_id


def _assert_correction(x12: str, frequency: str, payer_claim_control_number: str) -> None:
    assert first(x12, "CLM")[5].split(":")[2] == frequency
    assert first(x12, "REF", "F8")[2] == payer_claim_control_number
    assert pyx12_errors(x12) == []


async def test_paid_claim_replaced_then_voided_by_the_user(api, stack):
    claim_id = await new_claim(api, stack, "SIMPAY", PAID)
    original = await version_reaching(api, stack, claim_id, 1, {"accepted"})
    number = original["payer_claim_control_number"]
    assert number

    replaced = await api.post(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/replacement")
    assert replaced.status_code == 202, replaced.text
    assert replaced.json() | {"submission_id": None} == {
        "claim_id": claim_id, "claim_version": 2, "frequency_code": "7", "submission_id": None,
        "payer_claim_control_number": number, "status": "queued", "scrub_edits": []}
    replacement = await version_reaching(api, stack, claim_id, 2, {"accepted"})
    _assert_correction(replacement["x12"], "7", number)
    assert replacement["trigger"] == "user_replacement" and replacement["corrects_payer_claim_control_number"] == number
    assert replacement["ack_999"] == "A" and replacement["ack_277ca"]["category"] in ("A1", "A2")
    # The simulator adjudicates the replacement under a new number; the claim is paid again.
    assert replacement["payer_claim_control_number"] not in (None, number)
    await claim_reaching(api, stack, claim_id, PAID)

    voided = await api.post(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/void")
    assert voided.status_code == 202, voided.text
    assert voided.json()["frequency_code"] == "8"
    void = await version_reaching(api, stack, claim_id, 3, {"accepted"})
    _assert_correction(void["x12"], "8", replacement["payer_claim_control_number"])

    # Each version's history shows what the payer's 835 made of it; the void reverses the replacement's payment.
    history = await eventually(lambda: versions(api, stack, claim_id),
                               lambda rows: [r["adjudication"] for r in rows][2:] == ["reversed"],
                               "the void's reversal to be posted")
    assert history[0]["adjudication"] in PAID and history[1]["adjudication"] in PAID

    again = await api.post(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/void")
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["reason"] == "already_voided"
    history = await versions(api, stack, claim_id)
    assert [(v["claim_version"], v["frequency_code"]) for v in history] == [(1, "1"), (2, "7"), (3, "8")]


async def test_a_claim_the_payer_never_accepted_cannot_be_voided_or_replaced(api, anonymous, stack):
    claim_id = await new_claim(api, stack, "SIMREJ", {"rejected"})
    for action in ("void", "replacement"):
        response = await api.post(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/{action}")
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["reason"] == "never_accepted"
    unknown = await api.post(f"{stack['SUBMISSION_URL']}/v1/claims/00000000-0000-4000-8000-000000000000/void")
    assert unknown.status_code == 404
    unauthenticated = await anonymous.post(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/void")
    assert unauthenticated.status_code == 401


async def test_intake_correction_is_recoded_and_sent_as_a_replacement(api, stack):
    claim_id = await new_claim(api, stack, "SIMPAY", PAID)
    original = await version_reaching(api, stack, claim_id, 1, {"accepted"})
    url = f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/encounter"
    read = await api.get(url)
    assert read.status_code == 200, read.text
    etag, corrected = read.headers["etag"], read.json()["encounter"]
    corrected["service_lines"][1]["charge"] = "48.00"
    corrected["service_lines"][1]["modifiers"] = ["91"]
    body = {"encounter": corrected, "reason": "lab line billed with the wrong charge"}

    missing = await api.put(url, json=body)
    assert missing.status_code == 428 and missing.headers["content-type"].startswith(PROBLEM)
    stale = await api.put(url, json=body, headers={"If-Match": '"99"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 1
    changed_identity = await api.put(url, json={**body, "encounter": {**corrected, "external_id": "OTHER-1"}},
                                     headers={"If-Match": etag})
    assert changed_identity.status_code == 422
    invalid = await api.put(url, json={**body, "encounter": {**corrected, "diagnoses": ["NOTACODE"]}},
                            headers={"If-Match": etag})
    assert invalid.status_code == 422 and invalid.headers["content-type"].startswith(PROBLEM)

    accepted = await api.put(url, json=body, headers={"If-Match": etag})
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["etag"] == '"2"'
    lost_update = await api.put(url, json=body, headers={"If-Match": etag})
    assert lost_update.status_code == 412

    replacement = await version_reaching(api, stack, claim_id, 2, {"accepted"})
    _assert_correction(replacement["x12"], "7", original["payer_claim_control_number"])
    assert replacement["trigger"] == "recoded"
    assert first(replacement["x12"], "CLM")[2] in ("233", "233.00")
    assert any(s.strip().startswith("SV1*HC:83036:91*48") for s in replacement["x12"].split("~"))

    events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]
    corrected_events = [e for e in events if e["type"] == "claim.encounter_corrected"]
    assert [e["summary"] for e in corrected_events] == [{"reason": "lab line billed with the wrong charge"}]
    assert [e["type"] for e in events].count("claim.coded") == 2


async def test_correction_while_the_first_version_is_in_flight_still_ends_as_a_replacement(api, stack):
    # Corrected straight away: the re-coding may reach submission before the first version's 277CA (then it
    # is held and released by claim.accepted) or after it; either way the payer gets one original and one 7.
    response = await post_encounter(api, stack, encounter_for("SIMACK"))
    assert response.status_code == 202, response.text
    claim_id = response.json()["claim_id"]
    url = f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/encounter"
    read = await api.get(url)
    corrected = read.json()["encounter"]
    corrected["service_lines"][1]["charge"] = "45.00"  # a billing fix coding accepts without new note evidence
    put = await api.put(url, json={"encounter": corrected, "reason": "lab charge corrected"},
                        headers={"If-Match": read.headers["etag"]})
    assert put.status_code == 200, put.text
    original = await version_reaching(api, stack, claim_id, 1, {"accepted"})
    replacement = await version_reaching(api, stack, claim_id, 2, {"accepted"})
    _assert_correction(replacement["x12"], "7", original["payer_claim_control_number"])
    assert any(s.strip().startswith("SV1*HC:83036*45*") for s in replacement["x12"].split("~"))
    assert len(await versions(api, stack, claim_id)) == 2


async def test_cms1500_pdf_of_the_latest_version(api, anonymous, stack):
    claim_id = await new_claim(api, stack, "SIMACK", {"accepted"})
    url = f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/cms1500.pdf"
    response = await api.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert claim_id.replace("-", "")[:20].upper() in text  # box 26, the patient control number
    assert "XJH123456701" in text and "227.00" in text  # box 1a, box 28
    assert (await anonymous.get(url)).status_code == 401
    assert (await api.get(url, params={"claim_version": 9})).status_code == 404
