"""Tenants, API keys and OAuth clients made through intake's admin API, for end-to-end tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.polling import eventually
from tests.support.payees import billing_provider, new_npi, new_tin

PROBLEM_JSON = "application/problem+json"
SERVICE_URLS = ("INTAKE_URL", "CODING_URL", "SUBMISSION_URL", "REMITTANCE_URL", "DENIALS_URL")


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


@asynccontextmanager
async def admin_client(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client on intake carrying the stack's ADMIN_TOKEN."""
    token = os.environ.get("ADMIN_TOKEN")
    if not token:
        pytest.fail("ADMIN_TOKEN is not set: run `make test` or source a stack.env that has it")
    async with httpx.AsyncClient(base_url=stack["INTAKE_URL"], headers={"Authorization": f"Bearer {token}"},
                                 timeout=15) as client:
        yield client


@dataclass(frozen=True)
class TenantKey:
    tenant_id: str
    key_id: str
    key: str
    npi: str | None = None  # the payee identifiers its 835s are routed by (tenant_with_payee)
    tin: str | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def billing_provider(self) -> dict[str, Any]:
        """The billing provider of this tenant's encounters: the simulator's 835s name it as payee."""
        assert self.npi and self.tin, "a tenant_with_payee"
        return billing_provider(self.npi, self.tin)


class TenantClient(httpx.AsyncClient):
    """A client of one tenant, with the billing provider its 835s are routed by (its registered payee)."""

    billing_provider: dict[str, Any] | None = None


async def create_tenant(admin: httpx.AsyncClient, **limits: Any) -> str:
    """A brand-new tenant (optionally with rate_limit_per_second and rate_limit_burst)."""
    tenant_id = f"e2e-{uuid.uuid4().hex[:12]}"
    response = await admin.post("/v1/admin/tenants", json={"tenant_id": tenant_id, **limits})
    assert response.status_code == 201, response.text
    return tenant_id


async def issue_key(admin: httpx.AsyncClient, tenant_id: str) -> TenantKey:
    response = await admin.post(f"/v1/admin/tenants/{tenant_id}/api-keys")
    assert response.status_code == 201, response.text
    body = response.json()
    return TenantKey(tenant_id, body["key_id"], body["api_key"])


async def tenant_with_key(admin: httpx.AsyncClient, **limits: Any) -> TenantKey:
    return await issue_key(admin, await create_tenant(admin, **limits))


async def register_payees(admin: httpx.AsyncClient, tenant_id: str, npis: list[str],
                          tins: list[str]) -> httpx.Response:
    """PUT the tenant's payee identifiers (the whole set)."""
    return await admin.put(f"/v1/admin/tenants/{tenant_id}/payee-identifiers", json={"npis": npis, "tins": tins})


async def remittance_routes_to(stack: dict[str, str], identifier: str, tenant_id: str | None) -> None:
    """Wait until remittance routes 835s naming identifier to tenant_id (None: to nobody)."""
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {stack['ADMIN_TOKEN']}"}, timeout=15) as client:
        async def owners() -> set[str]:
            response = await client.get(f"{stack['REMITTANCE_URL']}/v1/admin/payee-identifiers/{identifier}")
            assert response.status_code == 200, response.text
            return {owner["tenant_id"] for owner in response.json()["owners"]}

        # Projected by a consumer: after a service restart its group may rebalance for up to the 30 s session
        # timeout before the announcement is applied.
        await eventually(owners, lambda found: found == ({tenant_id} if tenant_id else set()),
                         f"remittance to route {identifier} to {tenant_id}", 60)


async def tenant_with_payee(admin: httpx.AsyncClient, stack: dict[str, str], **limits: Any) -> TenantKey:
    """A new tenant with a key and payee identifiers of its own, once remittance routes 835s by them."""
    key = await tenant_with_key(admin, **limits)
    npi, tin = new_npi(), new_tin()
    response = await register_payees(admin, key.tenant_id, [npi], [tin])
    assert response.status_code == 200, response.text
    await remittance_routes_to(stack, npi, key.tenant_id)
    return TenantKey(key.tenant_id, key.key_id, key.key, npi, tin)


async def register_client(admin: httpx.AsyncClient, tenant_id: str, scopes: list[str]) -> tuple[str, str]:
    """(client_id, client_secret) of a new OAuth client of the tenant."""
    response = await admin.post(f"/v1/admin/tenants/{tenant_id}/oauth-clients", json={"scopes": scopes})
    assert response.status_code == 201, response.text
    return response.json()["client_id"], response.json()["client_secret"]


async def request_token(client: httpx.AsyncClient, intake_url: str, client_id: str, secret: str,
                        scope: str | None = None, basic: bool = True) -> httpx.Response:
    """POST /v1/oauth/token with client credentials, by HTTP Basic or in the form."""
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope is not None else {})}
    if basic:
        return await client.post(f"{intake_url}/v1/oauth/token", data=form, auth=(client_id, secret))
    return await client.post(f"{intake_url}/v1/oauth/token",
                             data={**form, "client_id": client_id, "client_secret": secret})


async def access_token(client: httpx.AsyncClient, intake_url: str, client_id: str, secret: str,
                       scope: str | None = None) -> str:
    response = await request_token(client, intake_url, client_id, secret, scope)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claim_urls(stack: dict[str, str], claim_id: str) -> list[str]:
    """Every per-claim read of the five services."""
    return [f"{stack['INTAKE_URL']}/v1/claims/{claim_id}", f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events",
            f"{stack['CODING_URL']}/v1/claims/{claim_id}/coding",
            f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions",
            f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger"]


def read_urls(stack: dict[str, str]) -> list[str]:
    """One authenticated read on each of the five services that answers 200 or 404 for any tenant."""
    unknown = str(uuid.uuid4())
    return [f"{stack['INTAKE_URL']}/v1/claims/{unknown}", f"{stack['CODING_URL']}/v1/claims/{unknown}/coding",
            f"{stack['SUBMISSION_URL']}/v1/claims/{unknown}/submissions",
            f"{stack['REMITTANCE_URL']}/v1/claims/{unknown}/ledger", f"{stack['DENIALS_URL']}/v1/denials"]
