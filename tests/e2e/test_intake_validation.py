"""Intake validation through the running service: one 422 with every pointer, and nothing created.

Nothing-created is shown by posting the corrected encounter with the same external_id (and the same
Idempotency-Key) afterwards: it is accepted with 202, where a stored claim would have made it 409.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import post_encounter
from tests.support.encounters import days_after_service, encounter_for

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"
PHI = {"first_name": "Zebediah", "last_name": "Quillfeather", "date_of_birth": "1971-07-23"}


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The RFC 9457 body of a response that must have this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


def set_at(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = [int(p) if p.isdigit() else p for p in path.strip("/").split("/")]
    for part in parents:
        document = document[part]
    document[leaf] = value


def institutional_for(payer_id: str) -> dict[str, Any]:
    encounter = encounter_for(payer_id)
    encounter.update(claim_type="institutional", place_of_service="22", type_of_bill="0131",
                     admission_date=days_after_service(-1), admission_hour=9, discharge_date=days_after_service(1),
                     discharge_hour=15,
                     patient_status="01",
                     attending_provider={"npi": "1987654328", "first_name": "Alan", "last_name": "Grant"})
    for line, revenue_code in zip(encounter["service_lines"], ("0510", "0300"), strict=True):
        line["revenue_code"] = revenue_code
    return encounter


CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "code sets and dates": ({
        "/diagnoses/0": "E11",  # a category, not billable
        "/place_of_service": "30",  # unassigned
        "/date_of_service": "2099-01-01",
        "/service_lines/1/date_of_service": "2026-09-10",
    }, ["/date_of_service", "/place_of_service", "/diagnoses/0", "/service_lines/1/date_of_service"]),
    "contract formats, all at once": ({
        "/billing_provider/npi": "1234567890",
        "/billing_provider/tax_id": "000000000",
        "/patient/address/state": "XX",
        "/service_lines/0/modifiers": ["25", "25"],
        "/service_lines/1/charge": "42.001",
        "/service_lines/1/diagnosis_pointers": [3],
    }, ["/patient/address/state", "/billing_provider/npi", "/billing_provider/tax_id",
        "/service_lines/0/modifiers/1", "/service_lines/1/charge"]),
    "pointer past the diagnoses": ({"/service_lines/1/diagnosis_pointers": [1, 3]},
                                   ["/service_lines/1/diagnosis_pointers/1"]),
    "two primaries": ({"/coverages/1": None}, ["/coverages/1/priority"]),
    "non-billable and unknown diagnoses": ({"/diagnoses": ["E11.6", "I10.9"]}, ["/diagnoses/0", "/diagnoses/1"]),
}


@pytest.mark.parametrize("case", CASES)
async def test_an_invalid_encounter_is_one_422_and_creates_nothing(api, stack, case):
    changes, expected = CASES[case]
    corrected = encounter_for("SIMACK")
    corrected["patient"].update(PHI)
    invalid = copy.deepcopy(corrected)
    for path, value in changes.items():
        if path == "/coverages/1":
            invalid["coverages"].append({**copy.deepcopy(invalid["coverages"][0]),
                                         "payer": {"payer_id": "SIMDNY", "name": "Second Plan"}})
        else:
            set_at(invalid, path, value)
    key = f"validation-{uuid.uuid4()}"

    response = await post_encounter(api, stack, invalid, key)
    problem = problem_of(response, 422)
    assert [error["pointer"] for error in problem["errors"]] == expected, problem["errors"]
    assert problem["detail"] == f"{len(expected)} field(s) failed validation"
    for value in (*PHI.values(), PHI["date_of_birth"].replace("-", "")):
        assert value.lower() not in response.text.lower()

    accepted = await post_encounter(api, stack, corrected, key)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["external_id"] == corrected["external_id"]


async def test_an_institutional_claim_needs_its_stay(api, stack):
    corrected = institutional_for("SIMACK")
    invalid = copy.deepcopy(corrected)
    for field in ("type_of_bill", "patient_status", "attending_provider"):
        del invalid[field]
    invalid["discharge_date"] = "2026-09-13"
    invalid["service_lines"][0]["revenue_code"] = None

    problem = problem_of(await post_encounter(api, stack, invalid), 422)
    assert [e["pointer"] for e in problem["errors"]] == [
        "/service_lines/0/revenue_code", "/type_of_bill", "/patient_status", "/attending_provider"]
    invalid.update({field: corrected[field] for field in ("type_of_bill", "patient_status", "attending_provider")})
    invalid["service_lines"][0]["revenue_code"] = "0510"
    problem = problem_of(await post_encounter(api, stack, invalid), 422)
    assert [e["pointer"] for e in problem["errors"]] == ["/discharge_date"]

    accepted = await post_encounter(api, stack, corrected)
    assert accepted.status_code == 202, accepted.text


@pytest.mark.parametrize(("content", "content_type", "status", "problem_type"), [
    (b"{" + b" " * (1024 * 1024) + b"}", "application/json", 413, "payload-too-large"),
    (b'{"external_id": "x"}', "text/plain", 415, "unsupported-media-type"),
    (b'{"external_id": "x"}', "application/json; charset=iso-8859-1", 415, "unsupported-media-type"),
    (b'{"external_id": ', "application/json", 400, "malformed-json"),
    (b'{"external_id": "\xe9"}', "application/json", 400, "malformed-json"),
    (b'{"external_id": "a", "external_id": "b"}', "application/json", 400, "malformed-json"),
])
async def test_unreadable_bodies_are_problems(api, stack, content, content_type, status, problem_type):
    response = await api.post(f"{stack['INTAKE_URL']}/v1/encounters", content=content,
                              headers={"content-type": content_type})
    assert problem_of(response, status)["type"].endswith("/" + problem_type)


async def test_the_contract_is_published_with_its_example(api, stack):
    document = (await api.get(f"{stack['INTAKE_URL']}/openapi.json")).json()
    encounter = document["components"]["schemas"]["Encounter"]
    assert encounter["examples"][0]["external_id"] == "ENC-2026-000101"
    assert all(p.get("description") for p in encounter["properties"].values())
