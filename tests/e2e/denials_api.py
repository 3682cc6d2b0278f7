"""Denials on the running stack: a tenant of its own, claims, their denials, what the simulator received.

Each test works in a tenant of its own, so the scrubber edits it accepts and the patterns it counts never
touch other tests' claims. Test modules import `tenant_api` to use it as a fixture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.e2e.admin_api import TenantClient, admin_client, tenant_with_payee
from tests.e2e.conftest import post_encounter
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for

NO_CLAIM = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
async def tenant_api(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client carrying a brand-new tenant's API key, once every service knows the key and remittance
    routes the tenant's 835s (by the payee identifiers of its encounters' billing provider) to it."""
    async with admin_client(stack) as admin:
        key = await tenant_with_payee(admin, stack)
    async with TenantClient(headers=key.headers(), timeout=20) as client:
        client.billing_provider = key.billing_provider()
        for url in (f"{stack['DENIALS_URL']}/v1/denials", f"{stack['SUBMISSION_URL']}/v1/scrubber/edits",
                    f"{stack['CODING_URL']}/v1/claims/{NO_CLAIM}/coding"):
            async def status(url: str = url) -> int:
                return (await client.get(url)).status_code

            await eventually(status, lambda code: code != 401, f"{url} to know the new tenant's key")
        yield client


async def new_claim(api: httpx.AsyncClient, stack: dict[str, str], payer_id: str, **changes: Any) -> str:
    """A claim of the client's tenant, billed by its billing provider (a TenantClient's) unless changes say."""
    provider = getattr(api, "billing_provider", None)
    if provider is not None:
        changes = {"billing_provider": provider, **changes}
    response = await post_encounter(api, stack, encounter_for(payer_id, **changes))
    assert response.status_code == 202, response.text
    return response.json()["claim_id"]


async def denial_of(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str,
                    until: Any = lambda d: True, timeout: float = 90) -> dict[str, Any]:
    async def denials() -> list[dict[str, Any]]:
        response = await api.get(f"{stack['DENIALS_URL']}/v1/denials", params={"claim_id": claim_id})
        assert response.status_code == 200, response.text
        return response.json()["denials"]

    found = await eventually(denials, lambda rows: len(rows) == 1 and until(rows[0]),
                             f"the denial of claim {claim_id}", timeout)
    return found[0]


async def timeline_types(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> list[str]:
    response = await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")
    assert response.status_code == 200, response.text
    return [event["type"] for event in response.json()["events"]]


async def payer_claim_number(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> str:
    [number] = {claim["payer_claim_control_number"] for claim in await received_claims(api, stack, claim_id)}
    return number


def patient_control_number(claim_id: str) -> str:
    """The CLM01 submission gives a claim: its id without dashes, 20 characters, upper case."""
    return claim_id.replace("-", "")[:20].upper()


async def received_claims(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> list[dict[str, Any]]:
    """Every version of the claim the clearinghouse simulator received, in the order it received them."""
    interchanges = (await api.get(f"{stack['CLEARINGHOUSE_URL']}/v1/interchanges")).json()["interchanges"]
    return [claim for interchange in interchanges for claim in interchange["claims"]
            if claim["patient_control_number"] == patient_control_number(claim_id)]
