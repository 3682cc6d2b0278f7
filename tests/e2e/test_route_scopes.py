"""Every route of every service declares who may call it, and the running services hold to it.

The routes come from each service's live OpenAPI document, never from a list kept here, so a route
added without a declaration (or with a wrong one) fails these tests. A read-only token must read and
must be refused every change; a token without claims:read must be refused every read; every route a
tenant's credential calls takes from the tenant's rate budget.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shared.access_tokens import CLAIMS_READ, ENCOUNTERS_WRITE, SCOPES
from tests.e2e.admin_api import (
    SERVICE_URLS,
    access_token,
    admin_client,
    assert_problem,
    bearer,
    create_tenant,
    issue_key,
    register_client,
)
from tests.e2e.polling import eventually

pytestmark = pytest.mark.e2e
TENANT = "tenant_credential"
WAYS_IN = {TENANT, "admin_token", "clearinghouse_signature", "oauth_client"}
OPEN_ON_PURPOSE = {"/healthz", "/readyz"}
FIVE = {"intake", "coding", "submission", "remittance", "denials"}
READS_BY_POST = {("POST", "/v1/patients/lookup")}  # a read that keeps an account number out of the URL
# Path values for the few parameters whose format a route checks before looking anything up.
PATH_VALUES = {"claim_index": "1", "endpoint_id": "ep_" + "0" * 32, "patient_key": "0" * 32,
               "payer_identifier": "SIMPAY"}


@dataclass(frozen=True)
class Operation:
    service: str
    base_url: str
    method: str
    path: str
    security: list[dict[str, list[str]]] | None

    def url(self) -> str:
        path = self.path
        while "{" in path:
            name = path[path.index("{") + 1:path.index("}")]
            path = path.replace("{" + name + "}", PATH_VALUES.get(name, str(uuid.uuid4())), 1)
        return self.base_url + path

    @property
    def scope(self) -> str | None:
        """The one scope a tenant's credential needs, when that is the way in."""
        scopes = [s for requirement in self.security or [] for s in requirement.get(TENANT, [])]
        return scopes[0] if scopes else None

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path}"


async def live_operations(stack: dict[str, str]) -> list[Operation]:
    """Every operation of the five services, read from their OpenAPI documents."""
    found = []
    async with httpx.AsyncClient(timeout=30) as client:
        for name in SERVICE_URLS:
            document = (await client.get(f"{stack[name]}/openapi.json")).json()
            for path, operations in document["paths"].items():
                for method, operation in operations.items():
                    found.append(Operation(name.removesuffix("_URL").lower(), stack[name], method.upper(), path,
                                           operation.get("security")))
    assert len(found) > 60, "the services' OpenAPI documents look incomplete"
    return found


@pytest.fixture(scope="module")
async def operations(stack: dict[str, str]) -> list[Operation]:
    return await live_operations(stack)


@pytest.fixture(scope="module")
async def admin(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with admin_client(stack) as client:
        yield client


async def call(client: httpx.AsyncClient, operation: Operation, headers: dict[str, str]) -> httpx.Response:
    """The operation with an empty JSON body where it takes one: the scope is checked before the body."""
    body = {"json": {}} if operation.method in {"POST", "PUT", "PATCH"} else {}
    return await client.request(operation.method, operation.url(), headers=headers, **body)


async def token_with(admin: httpx.AsyncClient, stack: dict[str, str], tenant_id: str, scopes: list[str]) -> str:
    client_id, secret = await register_client(admin, tenant_id, scopes)
    async with httpx.AsyncClient(timeout=15) as anonymous:
        return await access_token(anonymous, stack["INTAKE_URL"], client_id, secret)


def test_every_operation_declares_its_way_in_and_its_scope(operations: list[Operation]) -> None:
    undeclared = [str(o) for o in operations if o.security is None]
    assert not undeclared, f"operations that declare no security (add a scoped caller): {undeclared}"
    for operation in operations:
        if operation.security == []:
            assert operation.path in OPEN_ON_PURPOSE, f"{operation} is open to anyone"
            continue
        schemes = {scheme for requirement in operation.security or [] for scheme in requirement}
        assert schemes and schemes <= WAYS_IN, f"{operation} names unknown schemes {schemes}"
        if TENANT in schemes:
            scopes = [s for requirement in operation.security or [] for s in requirement.get(TENANT, [])]
            assert len(scopes) == 1 and scopes[0] in SCOPES, f"{operation} must name one known scope: {scopes}"
            if operation.method not in {"GET", "HEAD"} and (operation.method, operation.path) not in READS_BY_POST:
                assert scopes[0] != CLAIMS_READ, f"{operation} changes things with a read-only scope"


async def test_a_read_only_token_reads_and_is_refused_every_change_on_every_service(
        operations: list[Operation], admin: httpx.AsyncClient, stack: dict[str, str]) -> None:
    tenant_id = await create_tenant(admin)
    reader = bearer(await token_with(admin, stack, tenant_id, [CLAIMS_READ]))
    refused, wrong = [], []
    async with httpx.AsyncClient(timeout=60) as client:
        for operation in operations:
            if operation.security == [] or operation.method in {"GET", "HEAD"} and operation.security is None:
                continue  # open on purpose; an undeclared read fails the declaration test
            response = await call(client, operation, reader)
            if operation.security and operation.scope is None:  # the operator's, the clearinghouse's, the token's
                if response.status_code < 400:
                    wrong.append(f"{operation}: {response.status_code} to a tenant's read-only token")
            elif operation.scope == CLAIMS_READ:
                if response.status_code in (401, 403) or response.status_code >= 500:
                    wrong.append(f"{operation}: {response.status_code} {response.text[:200]}")
            elif response.status_code == 403 and response.json().get("required_scope") in (operation.scope, None):
                refused.append(operation)  # a change, refused for want of its scope (undeclared: refused outright)
            else:
                wrong.append(f"{operation}: {response.status_code} {response.text[:200]}")
    assert not wrong, "\n".join(wrong)
    assert {o.service for o in refused} == FIVE


async def test_a_token_without_claims_read_is_refused_every_read(
        operations: list[Operation], admin: httpx.AsyncClient, stack: dict[str, str]) -> None:
    tenant_id = await create_tenant(admin)
    writer = bearer(await token_with(admin, stack, tenant_id, [ENCOUNTERS_WRITE]))
    reads = [o for o in operations if o.scope == CLAIMS_READ]
    assert {o.service for o in reads} == FIVE, "every service has reads that declare claims:read"
    async with httpx.AsyncClient(timeout=60) as client:
        for operation in reads:
            problem = assert_problem(await call(client, operation, writer), 403)
            assert problem["required_scope"] == CLAIMS_READ, operation


async def test_every_route_a_tenant_calls_takes_from_its_rate_budget(
        operations: list[Operation], admin: httpx.AsyncClient, stack: dict[str, str]) -> None:
    # One request per 100 s: after the first, every call of this tenant is over budget on every service.
    tenant_id = await create_tenant(admin, rate_limit_per_second=0.01, rate_limit_burst=1)
    key = (await issue_key(admin, tenant_id)).headers()
    tenant_operations = [o for o in operations if o.scope is not None]
    assert {o.service for o in tenant_operations} == FIVE, "every service has routes a tenant calls"
    async with httpx.AsyncClient(timeout=60) as client:
        async def over_budget(service: str) -> None:
            probe = next(o for o in tenant_operations if o.service == service and o.scope == CLAIMS_READ)
            await eventually(lambda: call(client, probe, key), lambda r: r.status_code == 429,
                             f"{service} to hold the tenant to its budget", timeout=30)

        await asyncio.gather(*(over_budget(s) for s in {o.service for o in tenant_operations}))
        answers: dict[str, Any] = {}
        for operation in tenant_operations:
            response = await call(client, operation, key)
            answers[str(operation)] = (response.status_code, response.headers.get("retry-after"))
    missed = {name: answer for name, answer in answers.items() if answer[0] != 429 or not answer[1]}
    assert not missed, f"routes that skip the per-tenant rate limiter: {missed}"
