"""Outbound webhook retries on an in-process intake with the default schedule scaled down 10,000 times.

5 s becomes 0.5 ms and the 24 h window 8.6 s, so failures, 410 Gone, expiry, an outage the
receiver recovers from, and several dispatchers sharing one queue all run in seconds, on the
stack's real PostgreSQL and Kafka (an isolated database and topic namespace).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import uvicorn

from services.intake.adapters.tenant_admin import ensure_tenant_key
from services.intake.app import create_app
from services.intake.domain.outbound_webhooks import StatusChange
from services.intake.entrypoints.webhook_dispatcher import OutboundWebhookSettings, WebhookDispatcher
from services.intake.service_layer.webhook_deliveries import enqueue_status_change
from shared.db import create_engine, session_factory, unit_of_work
from shared.tenancy import new_api_key
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment, create_isolated_environment
from tests.support.webhook_receiver import WebhookReceiver, free_port, running_receiver

pytestmark = pytest.mark.e2e

SCALE = 0.0001
TENANT = "outbound-webhook-tests"


@pytest.fixture(scope="module")
async def environment(stack: dict[str, str]) -> IsolatedEnvironment:
    return await create_isolated_environment(stack["DATABASE_URL"], stack["KAFKA_BOOTSTRAP"], stack["WEBHOOK_SECRET"],
                                             "outbound")


@pytest.fixture(scope="module")
async def intake(environment: IsolatedEnvironment) -> AsyncIterator[httpx.AsyncClient]:
    """An intake process of our own, its dispatcher on the scaled schedule; a client with its tenant's key."""
    key_id, key = new_api_key()
    await ensure_tenant_key(environment.database_url, TENANT, key_id, key)
    port = free_port()
    app = create_app(environment.settings(http_port=port),
                     OutboundWebhookSettings(backoff_scale=SCALE, poll_seconds=0.05, timeout_seconds=2))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=15,
                                     headers={"Authorization": f"Bearer {key}"}) as client:
            yield client
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with running_receiver() as running:
        yield running


@pytest.fixture
async def register(intake: httpx.AsyncClient) -> AsyncIterator[Callable[[str], Awaitable[dict[str, Any]]]]:
    """Register endpoints for the test's tenant; each is deleted after the test, so tests do not feed each other."""
    created: list[str] = []

    async def create(url: str) -> dict[str, Any]:
        response = await intake.post("/v1/webhook-endpoints", json={"url": url})
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
        return response.json()

    yield create
    for endpoint_id in created:
        assert (await intake.delete(f"/v1/webhook-endpoints/{endpoint_id}")).status_code == 204


async def post_claim(intake: httpx.AsyncClient) -> str:
    response = await intake.post("/v1/encounters", json=encounter_for("SIMPAY"))
    assert response.status_code == 202, response.text
    return response.json()["claim_id"]


async def deliveries(intake: httpx.AsyncClient, endpoint_id: str) -> list[dict[str, Any]]:
    response = await intake.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", params={"limit": 200})
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


async def delivery_of(intake: httpx.AsyncClient, endpoint_id: str, claim_id: str, until: Any,
                      what: str, timeout: float = 20) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        return next((d for d in await deliveries(intake, endpoint_id) if d["claim_id"] == claim_id), None)

    return await eventually(probe, lambda d: d is not None and until(d), what, timeout)


def attempt_summary(delivery: dict[str, Any]) -> list[tuple[int, int | None, str]]:
    return [(a["attempt_number"], a["status_code"], a["outcome"]) for a in delivery["attempts"]]


async def test_two_failures_then_success_delivers_with_three_attempts_listed(intake, receiver, register):
    receiver.answer("twice", first=[500, 500])
    endpoint = await register(receiver.url("twice"))
    claim_id = await post_claim(intake)
    delivery = await delivery_of(intake, endpoint["id"], claim_id, lambda d: d["status"] == "delivered", "delivered")
    assert attempt_summary(delivery) == [(1, 500, "retry"), (2, 500, "retry"), (3, 200, "delivered")]
    arrived = receiver.at("twice", claim_id)
    assert [h.answered for h in arrived] == [500, 500, 200]
    assert {h.webhook_id for h in arrived} == {delivery["id"]}
    assert all(h.verifies_with(endpoint["secret"]) for h in arrived)


async def test_410_gone_disables_the_endpoint_and_stops_its_deliveries(intake, receiver, register):
    receiver.answer("gone", then=410)
    endpoint = await register(receiver.url("gone"))
    claim_id = await post_claim(intake)
    delivery = await delivery_of(intake, endpoint["id"], claim_id, lambda d: d["status"] == "cancelled", "cancelled")
    assert attempt_summary(delivery) == [(1, 410, "endpoint_gone")]
    listed = {e["id"]: e for e in (await intake.get("/v1/webhook-endpoints")).json()["endpoints"]}
    assert listed[endpoint["id"]]["status"] == "disabled" and "410" in listed[endpoint["id"]]["disabled_reason"]
    await post_claim(intake)  # its status change is queued in the POST's own transaction, or not at all
    assert [d["id"] for d in await deliveries(intake, endpoint["id"])] == [delivery["id"]]
    assert (await intake.post(f"/v1/webhook-deliveries/{delivery['id']}/replay")).status_code == 409


async def test_a_receiver_that_was_down_catches_up_without_losing_a_change(intake, register):
    port = free_port()
    endpoint = await register(f"http://127.0.0.1:{port}/hooks/late")
    claims = [await post_claim(intake) for _ in range(3)]

    def refused_twice(d: dict[str, Any]) -> bool:
        return len(d["attempts"]) >= 2 and all(a["error"] == "ConnectError" for a in d["attempts"])

    for claim_id in claims:
        await delivery_of(intake, endpoint["id"], claim_id, refused_twice, "refused connections")
    async with running_receiver(port) as late:
        for claim_id in claims:
            delivery = await delivery_of(intake, endpoint["id"], claim_id, lambda d: d["status"] == "delivered",
                                         "catching up")
            assert delivery["attempts"][-1]["status_code"] == 200
        assert sorted(h.payload["data"]["claim_id"] for h in late.at("late")) == sorted(claims)


async def test_a_delivery_expires_after_the_window_and_a_replay_delivers_it(intake, receiver, register):
    receiver.answer("dead", then=503)
    endpoint = await register(receiver.url("dead"))
    claim_id = await post_claim(intake)
    pending = await delivery_of(intake, endpoint["id"], claim_id, lambda d: d["attempts"], "a first attempt")
    assert (await intake.post(f"/v1/webhook-deliveries/{pending['id']}/replay")).status_code == 409
    expired = await delivery_of(intake, endpoint["id"], claim_id, lambda d: d["status"] == "expired", "expiry",
                                timeout=30)
    # how many tries fit in the window depends on the machine's speed; that the last came after it does not
    last_attempt = dt.datetime.fromisoformat(expired["attempts"][-1]["attempted_at"])
    assert last_attempt - dt.datetime.fromisoformat(expired["queued_at"]) >= dt.timedelta(hours=24) * SCALE
    assert len(expired["attempts"]) >= 3
    assert {a["status_code"] for a in expired["attempts"]} == {503} and expired["attempts"][-1]["outcome"] == "expired"
    receiver.answer("dead", then=200)
    replayed = await intake.post(f"/v1/webhook-deliveries/{expired['id']}/replay")
    assert replayed.status_code == 202 and replayed.json()["status"] == "pending"
    delivered = await delivery_of(intake, endpoint["id"], claim_id, lambda d: d["status"] == "delivered", "replay")
    assert delivered["id"] == expired["id"] and delivered["attempts"][-1]["status_code"] == 200
    assert {h.webhook_id for h in receiver.at("dead", claim_id)} == {expired["id"]}


async def queue_status_changes(environment: IsolatedEnvironment, count: int) -> None:
    """Queue `count` made-up status changes of the tenant straight into its outbound queue."""
    engine = create_engine(environment.database_url, instrument=False)
    now = dt.datetime.now(dt.UTC)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            for n in range(count):
                await enqueue_status_change(session, StatusChange(
                    tenant_id=TENANT, claim_id=str(uuid.uuid4()), external_id=f"QUEUED-{n}", status="coded",
                    previous_status="received", event_type="claim.coded", event_id=str(uuid.uuid4()),
                    occurred_at=now), now)
    finally:
        await engine.dispose()


async def test_several_dispatchers_share_the_queue_and_send_each_delivery_once(intake, receiver, environment,
                                                                                register):
    endpoint = await register(receiver.url("shared"))
    await queue_status_changes(environment, 60)
    engine = create_engine(environment.database_url, instrument=False)
    settings = OutboundWebhookSettings(backoff_scale=SCALE, batch_size=7)
    dispatchers = [WebhookDispatcher(session_factory(engine), settings) for _ in range(3)]
    runs = [asyncio.create_task(d.run()) for d in dispatchers]  # and the app's own dispatcher besides
    try:
        found = await eventually(lambda: deliveries(intake, endpoint["id"]),
                                 lambda ds: len(ds) == 60 and all(d["status"] == "delivered" for d in ds),
                                 "60 deliveries", timeout=60)
    finally:
        for dispatcher in dispatchers:
            dispatcher.stop()
        await asyncio.gather(*runs)
        await engine.dispose()
    assert all(len(d["attempts"]) == 1 for d in found)
    assert set(Counter(h.webhook_id for h in receiver.at("shared")).values()) == {1}
    assert len(receiver.at("shared")) == 60


async def test_a_stuck_receiver_does_not_hold_up_a_healthy_one(intake, receiver, environment, register):
    receiver.answer("stuck", delay=4)  # longer than this intake's 2 s timeout
    await register(receiver.url("stuck"))
    await queue_status_changes(environment, 300)  # more than the dispatcher sends at once
    await register(receiver.url("healthy"))
    posted_at = time.time()
    claim_id = await post_claim(intake)
    arrived = await eventually(lambda: _async(receiver.at("healthy", claim_id)), bool, "the healthy delivery",
                               timeout=10)
    assert arrived[0].received_at - posted_at < 1.5
    # one endpoint gets at most 20 sends at once; once they have timed out (2 s), one at a time
    await asyncio.sleep(4)
    stuck = [h.received_at for h in receiver.at("stuck")]
    first_wave = [at for at in stuck if at < stuck[0] + 1.9]
    assert 1 <= len(first_wave) <= 20
    assert len(stuck) - len(first_wave) <= 3


async def _async(value: Any) -> Any:
    return value
