"""FHIR Claim and X12 837P through the running intake: same claims as the JSON API, on to coding."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.submission.domain import BillableClaim, ClaimFrequency, write_837p
from shared.contracts.encounter import Encounter
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.support.encounters import CODED_DATE_OF_SERVICE, encounter_for
from tests.unit.submission.claim_corpus import interchange_header

pytestmark = pytest.mark.e2e

FHIR_CLAIM = Path(__file__).resolve().parents[1] / "fixtures" / "fhir" / "claim_established_patient.json"
PROBLEM_JSON = "application/problem+json"
CODED_OR_LATER = {"coded", "needs_correction", "submitted", "resubmitted", "accepted", "rejected", "paid",
                  "partially_paid", "denied", "appealed", "closed"}
SUMMARY = ("claim_type", "payer_id", "total_charge", "date_of_service")
PHI = ["Lopez", "Maria", "1984-03-09", "XJH123456701", "Elm Street", "Grant"]


def fhir_claim(payer_id: str, external_id: str) -> dict[str, Any]:
    """The fixture Claim (the example encounter in FHIR) billed to payer_id under a new identifier."""
    # Dated a week ago, like encounter_for, so the twin claims match.
    document = json.loads(FHIR_CLAIM.read_text().replace("2026-11-02", CODED_DATE_OF_SERVICE))
    document["identifier"][0]["value"] = external_id
    payer = next(r for r in document["contained"] if r["id"] == "payer")
    payer["identifier"][0]["value"] = payer_id
    return document


async def post_fhir(api: httpx.AsyncClient, stack: dict[str, str], document: dict[str, Any],
                    key: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/fhir+json", **({"Idempotency-Key": key} if key else {})}
    return await api.post(f"{stack['INTAKE_URL']}/v1/fhir/Claim", content=json.dumps(document), headers=headers)


async def post_x12(api: httpx.AsyncClient, stack: dict[str, str], text: str, key: str | None = None,
                   content_type: str = "application/edi-x12") -> httpx.Response:
    headers = {"Content-Type": content_type, **({"Idempotency-Key": key} if key else {})}
    return await api.post(f"{stack['INTAKE_URL']}/v1/x12/837", content=text.encode(), headers=headers)


async def summary(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> dict[str, Any]:
    response = await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return {field: body[field] for field in SUMMARY}


async def json_twin(api: httpx.AsyncClient, stack: dict[str, str], encounter: dict[str, Any]) -> str:
    """Post the same encounter through the JSON API under its own external id; returns its claim id."""
    twin = {**copy.deepcopy(encounter), "external_id": f"J-{uuid.uuid4().hex[:16]}"}
    response = await post_encounter(api, stack, twin)
    assert response.status_code == 202, response.text
    return str(response.json()["claim_id"])


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert not [value for value in PHI if value.lower() in response.text.lower()], response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_fhir_claim_becomes_the_claim_its_json_encounter_would(api, stack):
    external_id, key = f"F-{uuid.uuid4().hex[:16]}", f"e2e-{uuid.uuid4()}"
    document = fhir_claim("SIMACK", external_id)
    response = await post_fhir(api, stack, document, key)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body == {"claim_id": body["claim_id"], "status": "received", "external_id": external_id}
    assert response.headers["location"] == f"/v1/claims/{body['claim_id']}"
    twin = await json_twin(api, stack, encounter_for("SIMACK"))
    assert await summary(api, stack, body["claim_id"]) == await summary(api, stack, twin)
    assert (await claim_reaching(api, stack, body["claim_id"], CODED_OR_LATER))["status"] in CODED_OR_LATER
    await claim_reaching(api, stack, twin, CODED_OR_LATER)


async def test_fhir_claims_follow_the_json_api_idempotency_and_duplicates(api, stack):
    external_id, key = f"F-{uuid.uuid4().hex[:16]}", f"e2e-{uuid.uuid4()}"
    document = fhir_claim("SIMACK", external_id)
    first = await post_fhir(api, stack, document, key)
    replay = await post_fhir(api, stack, document, key)
    assert first.status_code == replay.status_code == 202 and replay.json() == first.json()
    changed = copy.deepcopy(document)
    changed["item"][0]["net"]["value"] = 190
    changed["item"][0]["unitPrice"]["value"] = 190
    changed["total"]["value"] = 232
    assert_problem(await post_fhir(api, stack, changed, key), 422)
    assert assert_problem(await post_fhir(api, stack, document), 409)["claim_id"] == first.json()["claim_id"]


async def test_an_invalid_fhir_claim_is_a_problem_naming_fhir_paths(api, stack):
    document = fhir_claim("SIMACK", f"F-{uuid.uuid4().hex[:16]}")
    document["contained"][0]["birthDate"] = "1984-03"
    document["item"][1]["productOrService"]["coding"][0]["system"] = "http://loinc.org"
    document["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] = "E11"  # not billable
    problem = assert_problem(await post_fhir(api, stack, document), 422)
    assert {e["pointer"] for e in problem["errors"]} >= {"/contained/0/birthDate", "/item/1/productOrService"}
    document["contained"][0]["birthDate"] = "1984-03-09"
    document["item"][1]["productOrService"]["coding"][0]["system"] = "http://www.ama-assn.org/go/cpt"
    problem = assert_problem(await post_fhir(api, stack, document), 422)  # intake's code-set rules, at FHIR paths
    assert [e["pointer"] for e in problem["errors"]] == ["/diagnosis/0/diagnosisCodeableConcept"]
    assert_problem(await api.post(f"{stack['INTAKE_URL']}/v1/fhir/Claim", content=b"<Claim/>",
                                  headers={"Content-Type": "application/fhir+xml"}), 415)
    assert_problem(await api.post(f"{stack['INTAKE_URL']}/v1/fhir/Claim", content=b'{"resourceType": ',
                                  headers={"Content-Type": "application/fhir+json"}), 400)


def three_encounters(payer_id: str) -> list[dict[str, Any]]:
    """A self-pay visit, a dependent child's visit, and a multi-line visit with modifiers."""
    own = encounter_for(payer_id)
    child = encounter_for(payer_id)
    child["patient"] = {**child["patient"], "first_name": "Leo", "date_of_birth": "2016-07-04", "sex": "M"}
    child["coverages"][0] = {**child["coverages"][0], "relationship": "child",
                             "subscriber": {k: v for k, v in own["patient"].items() if k != "account_number"}}
    lines = encounter_for(payer_id)
    lines["service_lines"] = [
        {"procedure_code": "99214", "modifiers": ["25"], "units": 1, "charge": "185.00", "diagnosis_pointers": [1, 2]},
        {"procedure_code": "20610", "modifiers": ["RT", "59"], "units": 1, "charge": "220.00",
         "diagnosis_pointers": [1]},
        {"procedure_code": "97110", "modifiers": ["GP"], "units": "1.5", "charge": "60.50", "diagnosis_pointers": [2]},
    ]
    return [own, child, lines]


def file_of(encounters: list[dict[str, Any]], control_numbers: list[str]) -> str:
    """An 837P written by the project's own writer, one CLM per encounter."""
    claims = [BillableClaim(patient_control_number=number, frequency_code=ClaimFrequency.ORIGINAL,
                            encounter=Encounter.model_validate(encounter),
                            line_control_numbers=[f"{number}-{n}" for n in range(len(encounter["service_lines"]))])
              for encounter, number in zip(encounters, control_numbers, strict=True)]
    return write_837p(interchange_header(), claims)


async def test_an_837p_with_three_claims_becomes_three_claims_like_their_json_twins(api, stack):
    encounters = three_encounters("SIMACK")
    numbers = [f"X{uuid.uuid4().hex[:12]}{n}" for n in range(3)]
    key = f"e2e-{uuid.uuid4()}"
    response = await post_x12(api, stack, file_of(encounters, numbers), key)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"], body["duplicate"]) == (3, 0, 0), body
    results = {r["external_id"]: r for r in body["claims"]}
    assert set(results) == set(numbers) and all(r["status"] == "accepted" for r in results.values())
    for encounter, number in zip(encounters, numbers, strict=True):
        twin = await json_twin(api, stack, encounter)
        assert await summary(api, stack, results[number]["claim_id"]) == await summary(api, stack, twin)
    for result in results.values():
        await claim_reaching(api, stack, result["claim_id"], CODED_OR_LATER)
    # the same file again: with its key every claim's first answer is replayed; without, each is a duplicate
    replayed = (await post_x12(api, stack, file_of(encounters, numbers), key, "text/plain")).json()
    assert replayed["claims"] == body["claims"]
    again = (await post_x12(api, stack, file_of(encounters, numbers))).json()
    assert [(r["status"], r["claim_id"]) for r in again["claims"]] == [
        ("duplicate", r["claim_id"]) for r in body["claims"]]


async def test_one_bad_claim_in_an_837p_does_not_block_the_others(api, stack):
    encounters = three_encounters("SIMACK")
    encounters[1]["diagnoses"] = ["E11", "I10"]  # E11 is a category: intake's rules refuse it
    numbers = [f"X{uuid.uuid4().hex[:12]}{n}" for n in range(3)]
    body = (await post_x12(api, stack, file_of(encounters, numbers))).json()
    results = {r["external_id"]: r for r in body["claims"]}
    assert [results[n]["status"] for n in numbers] == ["accepted", "rejected", "accepted"]
    [error] = results[numbers[1]]["errors"]
    assert (error["segment_id"], error["element"], error["field"]) == ("HI", "HI01-2", "/diagnoses/0")
    assert "claim_id" not in results[numbers[1]]
    assert not [value for value in ("LOPEZ", "19840309", "XJH123456701") if value in json.dumps(body)]


async def test_a_file_that_is_not_an_837p_is_a_problem_naming_the_segment(api, stack):
    problem = assert_problem(await post_x12(api, stack, "UNB+UNOA:1+SENDER+RECEIVER'"), 422)
    assert (problem["segment"], problem["segment_id"]) == (1, "ISA")
    text = file_of(three_encounters("SIMACK")[:1], [f"X{uuid.uuid4().hex[:12]}"])
    problem = assert_problem(await post_x12(api, stack, text.replace("ST*837*", "ST*835*")), 422)
    assert (problem["segment"], problem["segment_id"]) == (3, "ST")
    assert_problem(await post_x12(api, stack, text, content_type="application/json"), 415)
