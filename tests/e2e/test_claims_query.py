"""Intake's claim queries through the running stack: filters, cursor pagination and balances from remittance."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.admin_api import TenantKey, admin_client, assert_problem, tenant_with_payee
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.support.encounters import CODED_DATE_OF_SERVICE, encounter_for

pytestmark = pytest.mark.e2e
# Recent dates, inside the ICD-10-CM release of today: every claim codes without a coder.
CODED = dt.date.fromisoformat(CODED_DATE_OF_SERVICE)
DATES = [(CODED - dt.timedelta(days=days)).isoformat() for days in (20, 10, 0)]


@pytest.fixture(scope="module")
async def tenant_key(stack: dict[str, str]) -> TenantKey:
    """A brand-new tenant, so its list holds only what this module creates; its 835s are routed to it."""
    async with admin_client(stack) as admin:
        return await tenant_with_payee(admin, stack)


@pytest.fixture(scope="module")
async def tenant(tenant_key: TenantKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the module's tenant."""
    async with httpx.AsyncClient(headers=tenant_key.headers(), timeout=15) as client:
        yield client


@pytest.fixture(scope="module")
async def fifteen_claims(tenant: httpx.AsyncClient, tenant_key: TenantKey,
                         stack: dict[str, str]) -> list[dict[str, Any]]:
    """15 claims posted one after another: payers SIMACK/SIMREJ/SIMDNY in turn, three dates of service."""
    created = []
    for index in range(15):
        payer = ("SIMACK", "SIMREJ", "SIMDNY")[index % 3]
        encounter = encounter_for(payer, date_of_service=DATES[index % 3],
                                  billing_provider=tenant_key.billing_provider())
        response = await post_encounter(tenant, stack, encounter)
        assert response.status_code == 202, response.text
        created.append({"claim_id": response.json()["claim_id"], "payer_id": payer,
                        "external_id": encounter["external_id"], "date_of_service": DATES[index % 3]})
    return created


async def all_pages(client: httpx.AsyncClient, url: str, **params: Any) -> list[list[dict[str, Any]]]:
    """Follow next_cursor from the first page to the last."""
    pages, cursor = [], None
    while True:
        response = await client.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["claims"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "the cursor does not move on"


async def test_paging_by_four_returns_every_claim_once_newest_first(tenant, stack, fifteen_claims):
    pages = await all_pages(tenant, f"{stack['INTAKE_URL']}/v1/claims", limit=4)
    assert [len(page) for page in pages] == [4, 4, 4, 3]
    seen = [claim["claim_id"] for page in pages for claim in page]
    assert seen == [claim["claim_id"] for claim in reversed(fifteen_claims)]
    created = [claim["created_at"] for page in pages for claim in page]
    assert created == sorted(created, reverse=True)


async def test_a_page_of_exactly_the_rest_says_there_is_no_more(tenant, stack, fifteen_claims):
    pages = await all_pages(tenant, f"{stack['INTAKE_URL']}/v1/claims", limit=5)
    assert [len(page) for page in pages] == [5, 5, 5]
    only = await all_pages(tenant, f"{stack['INTAKE_URL']}/v1/claims", limit=200)
    assert [len(page) for page in only] == [15]


async def test_filters_by_payer_external_id_and_date_of_service(tenant, stack, fifteen_claims):
    url = f"{stack['INTAKE_URL']}/v1/claims"

    async def ids(**params: Any) -> list[str]:
        return [claim["claim_id"] for page in await all_pages(tenant, url, limit=2, **params) for claim in page]

    newest_first = list(reversed(fifteen_claims))
    assert await ids(payer_id="SIMREJ") == [c["claim_id"] for c in newest_first if c["payer_id"] == "SIMREJ"]
    target = fifteen_claims[7]
    assert await ids(external_id=target["external_id"]) == [target["claim_id"]]
    assert await ids(date_of_service_from=DATES[1], date_of_service_to=DATES[1]) == [
        c["claim_id"] for c in newest_first if c["date_of_service"] == DATES[1]]
    assert await ids(date_of_service_from=DATES[1]) == [
        c["claim_id"] for c in newest_first if c["date_of_service"] >= DATES[1]]
    assert await ids(date_of_service_to=DATES[0], payer_id="SIMACK") == [
        c["claim_id"] for c in newest_first if c["date_of_service"] == DATES[0] and c["payer_id"] == "SIMACK"]
    assert await ids(payer_id="NOSUCHPAYER") == []


async def test_the_status_filter_follows_the_claims_through_their_lifecycle(tenant, stack, fifteen_claims):
    for claim in fifteen_claims:
        final = {"SIMACK": {"accepted"}, "SIMREJ": {"rejected"}, "SIMDNY": {"denied"}}[claim["payer_id"]]
        await claim_reaching(tenant, stack, claim["claim_id"], final, timeout=90)
    url = f"{stack['INTAKE_URL']}/v1/claims"
    for status, payer in (("accepted", "SIMACK"), ("rejected", "SIMREJ"), ("denied", "SIMDNY")):
        listed = [c for page in await all_pages(tenant, url, limit=3, status=status) for c in page]
        assert {c["claim_id"] for c in listed} == {c["claim_id"] for c in fifteen_claims if c["payer_id"] == payer}
        assert {c["status"] for c in listed} == {status}
    assert (await tenant.get(url, params={"status": "received"})).json() == {"claims": [], "next_cursor": None}


@pytest.mark.parametrize(("params", "pointer"), [
    ({"limit": 201}, "/limit"), ({"limit": 0}, "/limit"), ({"cursor": "bm90LWEtY3Vyc29y"}, "/cursor"),
    ({"status": "lost"}, "/status"), ({"date_of_service_from": "2026-02-30"}, "/date_of_service_from"),
    ({"date_of_service_from": "2026-03-02", "date_of_service_to": "2026-03-01"}, "/date_of_service_from"),
])
async def test_bad_list_parameters_are_422_naming_the_parameter(tenant, stack, params, pointer):
    problem = assert_problem(await tenant.get(f"{stack['INTAKE_URL']}/v1/claims", params=params), 422)
    assert pointer in {error["pointer"] for error in problem["errors"]}


async def test_another_tenants_list_and_cursor_show_nothing_of_ours(api, tenant, stack, fifteen_claims):
    first = (await tenant.get(f"{stack['INTAKE_URL']}/v1/claims", params={"limit": 4})).json()
    theirs = await api.get(f"{stack['INTAKE_URL']}/v1/claims", params={"limit": 200, "cursor": first["next_cursor"]})
    assert theirs.status_code == 200
    assert not {c["claim_id"] for c in theirs.json()["claims"]} & {c["claim_id"] for c in fifteen_claims}


async def test_a_new_claim_owes_its_whole_charge(tenant, stack):
    claim_id = (await post_encounter(tenant, stack, encounter_for("SIMACK"))).json()["claim_id"]
    claim = (await tenant.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")).json()
    assert claim["balances"] == {"billed": claim["total_charge"], "paid": "0.00", "adjusted": "0.00",
                                 "patient_responsibility": "0.00", "balance": claim["total_charge"],
                                 "adjudicated": False}


async def test_a_paid_claims_balances_match_the_remittance_ledger(tenant, tenant_key, stack):
    encounter = encounter_for("SIMPAY", billing_provider=tenant_key.billing_provider())
    claim_id = (await post_encounter(tenant, stack, encounter)).json()["claim_id"]
    await claim_reaching(tenant, stack, claim_id, {"paid", "partially_paid"}, timeout=90)
    claim = await eventually(lambda: _claim(tenant, stack, claim_id), lambda c: c["balances"]["adjudicated"],
                             "intake to project the remittance", 30)
    ledger = (await tenant.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
    balances = claim["balances"]
    assert balances["billed"] == ledger["billed"] == claim["total_charge"]
    assert balances["paid"] == ledger["paid"] and Decimal(balances["paid"]) > 0
    assert balances["patient_responsibility"] == ledger["patient_responsibility"]["total"]
    assert balances["balance"] == ledger["balance"]
    assert Decimal(balances["billed"]) - Decimal(balances["paid"]) - Decimal(balances["adjusted"]) \
        == Decimal(balances["balance"])
    listed = (await tenant.get(f"{stack['INTAKE_URL']}/v1/claims", params={"limit": 1})).json()["claims"][0]
    assert listed["claim_id"] == claim_id and listed["balances"] == balances


async def _claim(client: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> dict[str, Any]:
    response = await client.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")
    assert response.status_code == 200, response.text
    return response.json()
