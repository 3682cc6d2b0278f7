"""Registering webhook endpoints on the running stack (development mode): the per-tenant limit and refused targets.

Production's https-only and public-address rules are shown in tests/unit/outbound_webhooks; the
stack runs in development mode (OUTBOUND_WEBHOOK_DEVELOPMENT), where http receivers on 127.0.0.1
are allowed, but the metadata service and link-local addresses never are.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from services.intake.adapters.tenant_admin import ensure_tenant_key
from services.intake.entrypoints.webhook_dispatcher import OutboundWebhookSettings
from shared.tenancy import new_api_key

pytestmark = pytest.mark.e2e


@pytest.fixture
async def fresh_tenant(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    key_id, key = new_api_key()
    await ensure_tenant_key(stack["DATABASE_URL"], f"e2e-limits-{uuid.uuid4().hex[:12]}", key_id, key)
    async with httpx.AsyncClient(base_url=stack["INTAKE_URL"], timeout=15,
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


async def test_a_tenant_at_its_endpoint_limit_gets_409_until_it_deletes_one(fresh_tenant: httpx.AsyncClient) -> None:
    limit = OutboundWebhookSettings().max_endpoints_per_tenant
    created = []
    for n in range(limit):
        response = await fresh_tenant.post("/v1/webhook-endpoints", json={"url": f"https://pms.example.com/{n}"})
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
    refused = await fresh_tenant.post("/v1/webhook-endpoints", json={"url": "https://pms.example.com/one-more"})
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["max_endpoints"] == limit
    assert (await fresh_tenant.delete(f"/v1/webhook-endpoints/{created[0]}")).status_code == 204
    again = await fresh_tenant.post("/v1/webhook-endpoints", json={"url": "https://pms.example.com/one-more"})
    assert again.status_code == 201, again.text


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/",
                                 "http://100.100.100.200/", "https://169.254.10.10/hook", "https://[fe80::1]/hook"])
async def test_metadata_and_link_local_targets_are_refused_at_registration_even_in_development(
        fresh_tenant: httpx.AsyncClient, url: str) -> None:
    response = await fresh_tenant.post("/v1/webhook-endpoints", json={"url": url})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == "/url"
