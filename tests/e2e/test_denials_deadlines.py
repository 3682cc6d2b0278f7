"""Appeal deadlines on the running stack: a late appeal is refused unless overridden with a recorded reason, and
a nearing deadline reaches the practice's webhook endpoint.

A deadline is months away when a denial is new; to stand at its end the test moves the stored deadline back
(the one write these tests make to a service's tables), as the passing of time would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.admin_api import assert_problem
from tests.e2e.denials_api import denial_of, new_claim
from tests.e2e.denials_api import tenant_api as tenant_api  # a fixture
from tests.e2e.polling import eventually
from tests.support.coding_review import timeline_types
from tests.support.webhook_receiver import WebhookReceiver, running_receiver

pytestmark = pytest.mark.e2e
DEADLINE_SCAN_SECONDS = 60  # DenialsPolicy.deadline_scan_seconds, the stack's default


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with running_receiver() as running:
        yield running


async def _async(value: Any) -> Any:
    return value


async def test_a_late_appeal_is_refused_without_an_override_and_the_override_is_recorded(
        tenant_api: httpx.AsyncClient, stack: dict[str, str], database: asyncpg.Pool) -> None:
    api = tenant_api
    claim_id = await new_claim(api, stack, "SIMDNY", prior_authorization="AUTH-41")
    denial = await denial_of(api, stack, claim_id)
    drafted = await api.post(f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/appeals",
                             json={"level": "first", "created_by": "casey"})
    assert drafted.status_code == 201, drafted.text
    appeal_id = drafted.json()["appeal_id"]
    passed = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)
    await database.execute("UPDATE denials.appeals SET deadline = $1 WHERE appeal_id = $2", passed, appeal_id)
    send_url = f"{stack['DENIALS_URL']}/v1/appeals/{appeal_id}/send"

    refused = await api.post(send_url, json={"sent_by": "casey"})

    problem = assert_problem(refused, 409)
    assert problem["deadline"] == passed.isoformat() and passed.isoformat() in problem["detail"]
    assert "override_reason" in problem["detail"]
    assert (await api.get(f"{stack['DENIALS_URL']}/v1/appeals/{appeal_id}")).json()["status"] == "drafted"
    assert_problem(await api.post(send_url, json={"sent_by": "casey", "override_reason": ""}), 422)

    sent = await api.post(send_url, json={"sent_by": "casey", "override_reason": "payer granted an extension"})

    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent" and sent.json()["override_reason"] == "payer granted an extension"
    stored = (await api.get(f"{stack['DENIALS_URL']}/v1/appeals/{appeal_id}")).json()
    assert stored["override_reason"] == "payer granted an extension" and stored["sent_by"] == "casey"
    events = await timeline_types(api, stack, claim_id, {"claim.appealed"})
    [appealed] = [e for e in events if e["type"] == "claim.appealed"]
    assert appealed["summary"]["sent_past_deadline"] is True
    assert appealed["summary"]["deadline"] == passed.isoformat()
    assert (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")).json()["status"] == "appealed"


async def test_a_nearing_appeal_deadline_reaches_the_practices_webhook_endpoint(
        tenant_api: httpx.AsyncClient, stack: dict[str, str], database: asyncpg.Pool,
        receiver: WebhookReceiver) -> None:
    api = tenant_api
    endpoint = await api.post(f"{stack['INTAKE_URL']}/v1/webhook-endpoints", json={
        "url": receiver.url("deadlines"), "event_types": ["claim.appeal_deadline_approaching"]})
    assert endpoint.status_code == 201, endpoint.text
    secret = endpoint.json()["secret"]
    claim_id = await new_claim(api, stack, "SIMDNY", prior_authorization="AUTH-42")
    denial = await denial_of(api, stack, claim_id)
    near = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=5)  # inside the 14-day alert window
    await database.execute("UPDATE denials.denials SET appeal_deadline = $1 WHERE denial_id = $2",
                           near, denial["denial_id"])

    arrived = await eventually(lambda: _async(receiver.at("deadlines", claim_id)), lambda hooks: len(hooks) >= 1,
                               f"the deadline alert for claim {claim_id}", timeout=DEADLINE_SCAN_SECONDS + 45)

    [alert] = arrived
    assert alert.verifies_with(secret)
    assert alert.payload["type"] == "claim.appeal_deadline_approaching"
    data = alert.payload["data"]
    assert data["denial_id"] == denial["denial_id"] and data["level"] == "first" and data["appeal_id"] is None
    assert data["deadline"] == near.isoformat() and data["days_left"] == 5
    events = await timeline_types(api, stack, claim_id, {"claim.appeal_deadline_approaching"})
    assert [e["type"] for e in events].count("claim.appeal_deadline_approaching") == 1
