"""The ops console in headless Chromium: pipeline health, a claim's timeline and trace id, a dead-letter replay."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from shared.events.envelope import EventEnvelope
from shared.messaging.topics import events_topic, physical_topic
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.support.browser import artifact, chromium
from tests.support.encounters import encounter_for
from tests.support.kafka import produce

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def admin(stack: dict[str, str]):
    async with httpx.AsyncClient(timeout=15, headers={"Authorization": f"Bearer {stack['ADMIN_TOKEN']}"}) as client:
        yield client


async def dead_letters_of(admin: httpx.AsyncClient, stack: dict[str, str], event_id: str) -> list[dict[str, Any]]:
    response = await admin.get(f"{stack['CONSOLE_URL']}/v1/dead-letters", params={"limit": 5000})
    assert response.status_code == 200, response.text
    return [d for d in response.json()["dead_letters"] if d["event_id"] == event_id]


async def test_console_shows_the_pipeline_a_claim_and_replays_a_dead_letter(api, admin, stack) -> None:
    response = await post_encounter(api, stack, encounter_for("SIMPAY"))
    claim_id = response.json()["claim_id"]
    await claim_reaching(api, stack, claim_id, {"paid", "partially_paid"})

    # A message no consumer of the intake topic can read: each group dead-letters it with its reason.
    poison = EventEnvelope(type="claim.teleported", source="intake", subject=str(uuid.uuid4()),
                           tenant_id=stack.get("TENANT_ID", "dev-practice"), schema_version=1, data={})
    topic = physical_topic(events_topic("intake"), stack.get("KAFKA_NAMESPACE", ""))
    await produce(stack["KAFKA_BOOTSTRAP"], topic, [(poison.kafka_key(), poison.kafka_headers(), poison.kafka_value())])
    letters = await eventually(lambda: dead_letters_of(admin, stack, poison.id), lambda found: len(found) >= 1,
                               timeout=60, what="the poison message in a dead-letter topic")
    letter = letters[0]
    assert letter["reason"] == "UnknownEventError: unknown event type 'claim.teleported'"

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)  # a loaded 2-core machine renders slowly; a broken page still fails
        await page.goto(f"{stack['CONSOLE_URL']}/")
        assert page.url.endswith("/login"), "pages need the admin token"
        await page.fill("#token", stack["ADMIN_TOKEN"])
        await page.click("#sign-in")
        await page.wait_for_selector("#services")
        services = await page.inner_text("#services")
        for name in ("intake", "coding", "submission", "remittance", "denials"):
            assert f"{name}\tok" in services, services
        assert "claims.intake.events.dlq" in await page.inner_text("#dead-letter-topics")
        await page.screenshot(path=artifact("console-pipeline.png"), full_page=True)

        await page.fill("input[name=claim_id]", claim_id)
        await page.press("input[name=claim_id]", "Enter")
        await page.wait_for_selector("#timeline")
        timeline = await page.inner_text("#timeline")
        for event_type in ("claim.received", "claim.coded", "claim.submitted", "claim.remittance_posted"):
            assert event_type in timeline
        events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]
        trace_ids = {e["trace_id"] for e in events if e["trace_id"]}
        shown = set(await page.locator(".trace-id").all_inner_texts())
        assert shown and shown <= trace_ids
        await page.screenshot(path=artifact("console-claim.png"), full_page=True)

        await page.goto(f"{stack['CONSOLE_URL']}/dead-letters?q={poison.id}")
        await page.check(f"input[name=position][value='{letter['position']}']")
        await page.click("#replay")
        await page.wait_for_selector("#replayed")
        assert letter["position"] in await page.inner_text("#replayed")
        await page.screenshot(path=artifact("console-dead-letters.png"), full_page=True)

    # Still unreadable, so the same consumer group dead-letters it again (and only that group).
    def replayed_and_failed_again(found: list[dict[str, Any]]) -> bool:
        return sum(1 for d in found if d["consumer"] == letter["consumer"]) == 2

    again = await eventually(lambda: dead_letters_of(admin, stack, poison.id), replayed_and_failed_again,
                             timeout=60, what="the replayed message dead-lettered again by its consumer group")
    others = [d["consumer"] for d in again if d["consumer"] != letter["consumer"]]
    assert len(others) == len(set(others)), "other consumer groups ignore a replay meant for another group"


async def test_console_api_refuses_without_the_admin_token(anonymous: httpx.AsyncClient, stack) -> None:
    response = await anonymous.get(f"{stack['CONSOLE_URL']}/v1/dead-letters")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    bad = await anonymous.post(f"{stack['CONSOLE_URL']}/v1/dead-letters/replay", json={"positions": ["nope"]},
                               headers={"Authorization": f"Bearer {stack['ADMIN_TOKEN']}"})
    assert bad.status_code == 422
    page = await anonymous.get(f"{stack['CONSOLE_URL']}/dead-letters")
    assert page.status_code == 303 and page.headers["location"] == "/login"
