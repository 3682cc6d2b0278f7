"""Outbound webhooks on the running stack: endpoint management, a claim's signed status changes, retry, replay."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from services.intake.adapters.tenant_admin import ensure_tenant_key
from shared.tenancy import new_api_key
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for
from tests.support.webhook_receiver import WebhookReceiver, running_receiver

pytestmark = pytest.mark.e2e

LIFECYCLE = {"received", "coded", "submitted", "accepted"}
PAID = {"paid", "partially_paid"}
Register = Callable[..., Awaitable[dict[str, Any]]]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with running_receiver() as running:
        yield running


@pytest.fixture
async def register(api: httpx.AsyncClient, stack: dict[str, str]) -> AsyncIterator[Register]:
    """Register endpoints for the development tenant; each is deleted after the test (no retries left behind)."""
    created: list[str] = []

    async def create(url: str, **fields: Any) -> dict[str, Any]:
        response = await api.post(f"{stack['INTAKE_URL']}/v1/webhook-endpoints", json={"url": url, **fields})
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
        return response.json()

    yield create
    for endpoint_id in created:
        await api.delete(f"{stack['INTAKE_URL']}/v1/webhook-endpoints/{endpoint_id}")


@pytest.fixture(scope="module")
async def second_tenant(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    tenant_id = f"e2e-{uuid.uuid4().hex[:12]}"
    key_id, key = new_api_key()
    await ensure_tenant_key(stack["DATABASE_URL"], tenant_id, key_id, key)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=15) as client:
        yield client


async def deliveries_of(api: httpx.AsyncClient, stack: dict[str, str], endpoint_id: str,
                        **params: Any) -> list[dict[str, Any]]:
    response = await api.get(f"{stack['INTAKE_URL']}/v1/webhook-endpoints/{endpoint_id}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


async def new_claim(api: httpx.AsyncClient, stack: dict[str, str], payer: str) -> tuple[str, dict[str, Any]]:
    encounter = encounter_for(payer)
    response = await post_encounter(api, stack, encounter)
    assert response.status_code == 202, response.text
    return response.json()["claim_id"], encounter


async def test_an_endpoint_is_registered_listed_and_deleted(api, stack, register):
    created = await register("https://pms.example.com/claimline", description="billing sync")
    assert created["secret"].startswith("whsec_") and created["id"].startswith("ep_")
    assert created["event_types"] == ["claim.status_changed"] and created["status"] == "enabled"
    listed = (await api.get(f"{stack['INTAKE_URL']}/v1/webhook-endpoints")).json()["endpoints"]
    mine = [e for e in listed if e["id"] == created["id"]]
    assert mine and mine[0]["url"] == "https://pms.example.com/claimline" and "secret" not in mine[0]
    assert (await api.delete(f"{stack['INTAKE_URL']}/v1/webhook-endpoints/{created['id']}")).status_code == 204
    listed = (await api.get(f"{stack['INTAKE_URL']}/v1/webhook-endpoints")).json()["endpoints"]
    assert created["id"] not in {e["id"] for e in listed}
    assert_problem(await api.delete(f"{stack['INTAKE_URL']}/v1/webhook-endpoints/{created['id']}"), 404)


@pytest.mark.parametrize("body, pointer", [
    ({"url": "ftp://pms.example.com/hook"}, "/url"), ({"url": "javascript:alert(1)"}, "/url"),
    ({"url": "not a url"}, "/url"), ({}, "/url"),
    ({"url": "https://pms.example.com", "event_types": ["claim.deleted"]}, "/event_types/0"),
    ({"url": "https://pms.example.com", "event_types": []}, "/event_types"),
    ({"url": "https://pms.example.com", "secret": "mine"}, "/secret"),
    ({"url": "https://pms.example.com/" + "a" * 2100}, "/url"),
    ({"url": "https://pms.example.com", "description": "line\u0000break"}, "/description"),
])
async def test_a_bad_registration_is_a_validation_problem_naming_the_field(api, stack, body, pointer):
    problem = assert_problem(await api.post(f"{stack['INTAKE_URL']}/v1/webhook-endpoints", json=body), 422)
    assert pointer in [error["pointer"] for error in problem["errors"]]
    assert "alert" not in str(problem) and "ftp:" not in str(problem)


@pytest.mark.parametrize("path", ["webhook-endpoints/{}/deliveries", "webhook-endpoints/{}/rotate-secret",
                                  "webhook-endpoints/{}", "webhook-deliveries/{}/replay"])
@pytest.mark.parametrize("identifier", ["ep_" + "0" * 32, "msg_" + "0" * 32, "not-an-id", "%00", "x" * 300])
async def test_an_unknown_or_malformed_id_is_404(api, stack, path, identifier):
    method = "GET" if path.endswith("deliveries") else "DELETE" if path.endswith("{}") else "POST"
    url = f"{stack['INTAKE_URL']}/v1/{path.format(identifier)}"
    assert_problem(await api.request(method, url), 404)


async def test_endpoints_need_an_api_key(anonymous, stack):
    assert_problem(await anonymous.get(f"{stack['INTAKE_URL']}/v1/webhook-endpoints"), 401)
    assert_problem(await anonymous.post(f"{stack['INTAKE_URL']}/v1/webhook-endpoints",
                                        json={"url": "https://pms.example.com"}), 401)


async def test_another_tenants_endpoint_does_not_exist_for_you(api, stack, register, second_tenant):
    endpoint = await register("https://pms.example.com/private")
    base = f"{stack['INTAKE_URL']}/v1/webhook-endpoints"
    assert endpoint["id"] not in {e["id"] for e in (await second_tenant.get(base)).json()["endpoints"]}
    assert_problem(await second_tenant.get(f"{base}/{endpoint['id']}/deliveries"), 404)
    assert_problem(await second_tenant.post(f"{base}/{endpoint['id']}/rotate-secret"), 404)
    assert_problem(await second_tenant.delete(f"{base}/{endpoint['id']}"), 404)
    assert endpoint["id"] in {e["id"] for e in (await api.get(base)).json()["endpoints"]}


async def _claims_deliveries(api, stack, endpoint_id: str, claim_id: str) -> list[dict]:
    return [d for d in await deliveries_of(api, stack, endpoint_id) if d["claim_id"] == claim_id]


async def test_a_paid_claim_sends_each_status_change_once_signed(api, stack, register, receiver):
    endpoint = await register(receiver.url("lifecycle"))
    claim_id, encounter = await new_claim(api, stack, "SIMPAY")
    await claim_reaching(api, stack, claim_id, PAID)
    arrived = await eventually(lambda: _async(receiver.at("lifecycle", claim_id)),
                               lambda hooks: bool(PAID & {h.payload["data"]["status"] for h in hooks})
                               and len(hooks) >= 5, f"the status changes of claim {claim_id}", timeout=30)
    statuses = [h.payload["data"]["status"] for h in arrived]
    assert set(statuses) - PAID == LIFECYCLE and len(set(statuses) & PAID) == 1, statuses
    assert all(h.verifies_with(endpoint["secret"]) for h in arrived)
    assert max(Counter(h.webhook_id for h in arrived).values()) == 1
    first = next(h.payload for h in arrived if h.payload["data"]["status"] == "received")
    assert first["type"] == "claim.status_changed" and first["data"]["previous_status"] is None
    assert first["data"]["external_id"] == encounter["external_id"] and first["data"]["event_type"] == "claim.received"
    everything = b" ".join(h.body for h in arrived).decode()
    for phi in (encounter["patient"]["first_name"], encounter["patient"]["last_name"],
                encounter["patient"]["date_of_birth"], encounter["coverages"][0]["member_id"]):
        assert phi not in everything
    # The receiver logs a 200 as it answers; the sender records it once the answer reaches it.
    listed = await eventually(
        lambda: _claims_deliveries(api, stack, endpoint["id"], claim_id),
        lambda found: {d["id"] for d in found} == {h.webhook_id for h in arrived}
        and all(d["status"] == "delivered" for d in found), "every delivery recorded", timeout=30)
    assert all([a["status_code"] for a in d["attempts"]] == [200] for d in listed)


async def test_a_failed_delivery_is_retried_and_every_attempt_is_listed(api, stack, register, receiver):
    receiver.answer("flaky", first=[503])
    endpoint = await register(receiver.url("flaky"))
    claim_id, _ = await new_claim(api, stack, "SIMACK")
    # the first retry of the default schedule comes 5 s (+/- 20 %) after the failure
    # Wait for the retry of the refused delivery itself: the claim's later statuses may well be
    # delivered first, and their 200s say nothing about the retry.
    arrived = await eventually(lambda: _async(receiver.at("flaky", claim_id)),
                               lambda hooks: any(h.answered == 200 and h.payload["data"]["status"] == "received"
                                                 for h in hooks), "the retry", timeout=30)
    received = [h for h in arrived if h.payload["data"]["status"] == "received"]
    assert [h.answered for h in received][:2] == [503, 200] and len({h.webhook_id for h in received}) == 1
    assert received[1].received_at - received[0].received_at >= 3.9
    # The receiver logs its 200 as it answers; the sender records the attempt once the answer reaches it.
    await eventually(lambda: deliveries_of(api, stack, endpoint["id"], status="delivered"),
                     lambda found: any(d["id"] == received[0].webhook_id for d in found), "the retry to be recorded",
                     timeout=30)
    delivery = next(d for d in await deliveries_of(api, stack, endpoint["id"]) if d["id"] == received[0].webhook_id)
    assert delivery["status"] == "delivered"
    assert [(a["attempt_number"], a["status_code"], a["outcome"]) for a in delivery["attempts"]][:2] == [
        (1, 503, "retry"), (2, 200, "delivered")]
    assert all(isinstance(a["duration_ms"], int) for a in delivery["attempts"])


async def test_replay_sends_the_same_webhook_id_again(api, stack, register, receiver):
    endpoint = await register(receiver.url("replay"))
    claim_id, _ = await new_claim(api, stack, "SIMACK")
    first = (await eventually(lambda: _async(receiver.at("replay", claim_id)), bool, "the first delivery"))[0]
    await eventually(lambda: deliveries_of(api, stack, endpoint["id"], status="delivered"),
                     lambda found: any(d["id"] == first.webhook_id for d in found), "the delivered state")
    replayed = await api.post(f"{stack['INTAKE_URL']}/v1/webhook-deliveries/{first.webhook_id}/replay")
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["id"] == first.webhook_id
    again = await eventually(lambda: _async([h for h in receiver.at("replay") if h.webhook_id == first.webhook_id]),
                             lambda hooks: len(hooks) == 2, "the replayed delivery")
    assert again[1].body == again[0].body and again[1].verifies_with(endpoint["secret"])
    await eventually(lambda: deliveries_of(api, stack, endpoint["id"], status="delivered"),
                     lambda found: any(d["id"] == first.webhook_id and d["attempt_count"] == 2 for d in found),
                     "the replay to be recorded")
    assert_problem(await api.post(f"{stack['INTAKE_URL']}/v1/webhook-deliveries/msg_unknown/replay"), 404)


async def test_after_a_rotation_old_and_new_secrets_both_verify(api, stack, register, receiver):
    endpoint = await register(receiver.url("rotated"))
    rotated = await api.post(f"{stack['INTAKE_URL']}/v1/webhook-endpoints/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"] != endpoint["secret"] and rotated.json()["previous_secret_expires_at"]
    claim_id, _ = await new_claim(api, stack, "SIMACK")
    hook = (await eventually(lambda: _async(receiver.at("rotated", claim_id)), bool, "a delivery"))[0]
    assert hook.verifies_with(rotated.json()["secret"]) and hook.verifies_with(endpoint["secret"])


async def test_the_deliveries_list_pages_with_a_cursor(api, stack, register, receiver):
    endpoint = await register(receiver.url("paged"))
    claims = {(await new_claim(api, stack, "SIMACK"))[0] for _ in range(3)}
    await eventually(lambda: deliveries_of(api, stack, endpoint["id"]),
                     lambda found: claims <= {d["claim_id"] for d in found}, "three deliveries")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get(f"{stack['INTAKE_URL']}/v1/webhook-endpoints/{endpoint['id']}/deliveries",
                              params=params)).json()
        seen += [d["id"] for d in page["deliveries"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 3


async def _async(value: Any) -> Any:
    return value
