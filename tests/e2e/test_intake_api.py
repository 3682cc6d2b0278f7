"""Intake's public contract: idempotency, duplicates, authentication, tenancy, validation problems."""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from services.intake.adapters.tenant_admin import ensure_tenant_key
from shared.tenancy import new_api_key
from tests.e2e.admin_api import TenantClient
from tests.e2e.conftest import post_encounter
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for
from tests.support.payees import register_new_payee, remittance_routes

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"
CLAIM_URLS = ("INTAKE_URL:/v1/claims/{}", "INTAKE_URL:/v1/claims/{}/events", "CODING_URL:/v1/claims/{}/coding",
              "SUBMISSION_URL:/v1/claims/{}/submissions", "REMITTANCE_URL:/v1/claims/{}/ledger")


def claim_urls(stack: dict[str, str], claim_id: str) -> list[str]:
    """Every per-claim read of the five services for this claim."""
    return [stack[service] + route.format(claim_id) for service, route in (u.split(":", 1) for u in CLAIM_URLS)]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


def new_key() -> str:
    return f"e2e-{uuid.uuid4()}"


async def test_same_key_and_body_replays_the_first_answer(api, stack):
    encounter, key = encounter_for("SIMACK"), new_key()
    first = await post_encounter(api, stack, encounter, key)
    again = await post_encounter(api, stack, encounter, key)
    assert first.status_code == again.status_code == 202, again.text
    assert again.json() == first.json() == {"claim_id": first.json()["claim_id"], "status": "received",
                                            "external_id": encounter["external_id"]}


async def test_same_key_with_another_body_is_refused(api, stack):
    encounter, key = encounter_for("SIMACK"), new_key()
    first = await post_encounter(api, stack, encounter, key)
    assert first.status_code == 202, first.text
    changed = copy.deepcopy(encounter)
    changed["service_lines"][0]["charge"] = "190.00"
    problem = assert_problem(await post_encounter(api, stack, changed, key), 422)
    assert first.json()["claim_id"] not in problem["detail"]


async def test_concurrent_duplicates_with_one_key_make_one_claim(api, stack):
    encounter, key = encounter_for("SIMACK"), new_key()
    responses = await asyncio.gather(*(post_encounter(api, stack, encounter, key) for _ in range(8)))
    assert [r.status_code for r in responses] == [202] * 8, [r.text for r in responses]
    [claim_id] = {r.json()["claim_id"] for r in responses}
    later = await post_encounter(api, stack, encounter)
    assert assert_problem(later, 409)["claim_id"] == claim_id


async def test_concurrent_duplicates_without_a_key_make_one_claim(api, stack):
    encounter = encounter_for("SIMACK")
    responses = await asyncio.gather(*(post_encounter(api, stack, encounter) for _ in range(8)))
    created = [r for r in responses if r.status_code == 202]
    assert len(created) == 1, [r.text for r in responses]
    claim_id = created[0].json()["claim_id"]
    for refused in (r for r in responses if r is not created[0]):
        assert assert_problem(refused, 409)["claim_id"] == claim_id


async def test_duplicate_external_id_names_the_existing_claim(api, stack):
    encounter = encounter_for("SIMACK")
    claim_id = (await post_encounter(api, stack, encounter)).json()["claim_id"]
    problem = assert_problem(await post_encounter(api, stack, encounter), 409)
    assert problem["claim_id"] == claim_id and claim_id in problem["detail"]
    other_key = assert_problem(await post_encounter(api, stack, encounter, new_key()), 409)
    assert other_key["claim_id"] == claim_id


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer clk_not_a_real_key", "Basic dXNlcjpwdw=="])
async def test_missing_or_wrong_bearer_is_401(anonymous, stack, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    post = await anonymous.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter_for("SIMACK"), headers=headers)
    assert_problem(post, 401)
    assert post.headers["www-authenticate"].lower().startswith("bearer")
    get = await anonymous.get(f"{stack['INTAKE_URL']}/v1/claims/{uuid.uuid4()}", headers=headers)
    assert_problem(get, 401)


@pytest.mark.parametrize("claim_id", [str(uuid.uuid4()), "not-a-claim-id", "12345", uuid.uuid4().hex + "00"])
@pytest.mark.parametrize("path", CLAIM_URLS)
async def test_unknown_or_malformed_claim_id_is_404(api, stack, claim_id, path):
    service, route = path.split(":", 1)
    assert_problem(await api.get(stack[service] + route.format(claim_id)), 404)


@pytest.fixture(scope="module")
async def second_tenant(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a brand-new tenant with its own API key and payee (its billing_provider attribute)."""
    tenant_id = f"e2e-{uuid.uuid4().hex[:12]}"
    key_id, key = new_api_key()
    await ensure_tenant_key(stack["DATABASE_URL"], tenant_id, key_id, key)
    npi, provider = await register_new_payee(stack["DATABASE_URL"], tenant_id)  # 835s are routed by payee
    await remittance_routes(stack["DATABASE_URL"], npi, tenant_id)
    async with TenantClient(headers={"Authorization": f"Bearer {key}"}, timeout=15) as client:
        client.billing_provider = provider
        yield client


async def test_a_new_tenant_key_works_at_intake_at_once_and_everywhere_soon(second_tenant, stack):
    unknown = str(uuid.uuid4())
    assert_problem(await second_tenant.get(f"{stack['INTAKE_URL']}/v1/claims/{unknown}"), 404)
    for url in (f"{stack['CODING_URL']}/v1/claims/{unknown}/coding",
                f"{stack['SUBMISSION_URL']}/v1/claims/{unknown}/submissions",
                f"{stack['REMITTANCE_URL']}/v1/claims/{unknown}/ledger", f"{stack['DENIALS_URL']}/v1/denials"):
        response = await eventually(lambda url=url: second_tenant.get(url), lambda r: r.status_code != 401,
                                    f"the new key to reach {url}", timeout=30)
        assert response.status_code in (200, 404), response.text


@pytest.fixture(scope="module")
async def twin_claims(api, second_tenant, stack) -> list[tuple[httpx.AsyncClient, str]]:
    """The same denied-payer encounter sent by both tenants: [(owner's client, claim id)] for each."""
    encounter = encounter_for("SIMDNY")
    mine = await post_encounter(api, stack, encounter)
    # External ids are unique per tenant only; the second practice bills with its own provider (its payee).
    theirs = await post_encounter(second_tenant, stack,
                                  encounter | {"billing_provider": second_tenant.billing_provider})
    assert mine.status_code == theirs.status_code == 202, theirs.text
    assert mine.json()["claim_id"] != theirs.json()["claim_id"]
    return [(api, mine.json()["claim_id"]), (second_tenant, theirs.json()["claim_id"])]


async def test_tenants_cannot_see_each_others_claims(twin_claims, stack):
    for owner, claim_id in twin_claims:  # wait until the claim exists everywhere, so a 404 means "not yours"
        for url in claim_urls(stack, claim_id):
            await eventually(lambda url=url, owner=owner: owner.get(url), lambda r: r.status_code == 200,
                             f"the owner to see {url}")
    (first_client, first_claim), (second_client, second_claim) = twin_claims
    for reader, claim_id in ((second_client, first_claim), (first_client, second_claim)):
        for url in claim_urls(stack, claim_id):
            assert_problem(await reader.get(url), 404)


async def test_tenants_cannot_see_each_others_denials_or_eras(twin_claims, stack):
    async def own_denials(owner: httpx.AsyncClient) -> set[str]:
        listed = (await owner.get(f"{stack['DENIALS_URL']}/v1/denials", params={"limit": 500})).json()
        return {d["claim_id"] for d in listed["denials"]}

    async def own_eras(owner: httpx.AsyncClient) -> set[str]:
        listed = (await owner.get(f"{stack['REMITTANCE_URL']}/v1/eras", params={"limit": 500})).json()
        return {claim for era in listed["eras"] for claim in era["matched_claims"]}

    for owner, claim_id in twin_claims:
        await eventually(lambda owner=owner: own_denials(owner), lambda found, c=claim_id: c in found,
                         f"the owner's denial of {claim_id}")
        assert claim_id in await own_eras(owner)
    (first_client, first_claim), (second_client, second_claim) = twin_claims
    assert first_claim not in await own_denials(second_client) | await own_eras(second_client)
    assert second_claim not in await own_denials(first_client) | await own_eras(first_client)


async def test_idempotency_keys_belong_to_one_tenant(api, second_tenant, stack):
    key = new_key()
    mine = await post_encounter(api, stack, encounter_for("SIMACK"), key)
    theirs = await post_encounter(second_tenant, stack, encounter_for("SIMACK"), key)
    assert mine.status_code == theirs.status_code == 202, theirs.text
    assert mine.json()["claim_id"] != theirs.json()["claim_id"]


PHI = {"first_name": "Zebediah", "last_name": "Quillfeather", "date_of_birth": "1971-07-23"}
MEMBER_ID = "QZM7734419021"


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(encounter: dict[str, Any]) -> None:
        *parents, leaf = path.split("/")
        target: Any = encounter
        for part in parents:
            target = target[int(part) if part.isdigit() else part]
        target[int(leaf) if leaf.isdigit() else leaf] = value
    return change


def _second_primary(encounter: dict[str, Any]) -> None:
    encounter["coverages"].append({**copy.deepcopy(encounter["coverages"][0]),
                                   "payer": {"payer_id": "SIMDNY", "name": "Second Plan"}})


INVALID = {
    "bad NPI check digit": (_set("billing_provider/npi", "1234567890"), "/billing_provider/npi"),
    "unknown field": (_set("favourite_colour", "blue"), "/favourite_colour"),
    "two primary coverages": (_second_primary, "/coverages"),
    "diagnosis pointer out of range": (_set("service_lines/1/diagnosis_pointers", [1, 3]),
                                       "/service_lines/1/diagnosis_pointers"),
    "dependent without subscriber": (_set("coverages/0/relationship", "child"), "/coverages/0/subscriber"),
    "5-digit billing ZIP": (_set("billing_provider/address/postal_code", "62701"),
                            "/billing_provider/address/postal_code"),
    "negative charge": (_set("service_lines/0/charge", "-185.00"), "/service_lines/0/charge"),
    "malformed ICD-10 code": (_set("diagnoses/1", "I10.X1234"), "/diagnoses/1"),
}


@pytest.mark.parametrize("case", INVALID)
async def test_invalid_encounter_is_a_422_pointing_at_the_field_without_phi(api, stack, case):
    change, pointer = INVALID[case]
    encounter = encounter_for("SIMPAY")
    encounter["patient"].update(PHI)
    encounter["coverages"][0]["member_id"] = MEMBER_ID
    change(encounter)
    response = await post_encounter(api, stack, encounter)
    problem = assert_problem(response, 422)
    # the pointer names the offending field (or something inside it), never just an enclosing object
    pointers = [error["pointer"] for error in problem["errors"]]
    assert any(p == pointer or p.startswith(pointer + "/") for p in pointers), problem["errors"]
    assert all(error["detail"] for error in problem["errors"])
    for value in (*PHI.values(), PHI["date_of_birth"].replace("-", ""), MEMBER_ID):
        assert value.lower() not in response.text.lower()
