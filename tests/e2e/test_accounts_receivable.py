"""A/R through the running stack, on a brand-new tenant so every figure is known: aging by payer (insurance A/R)
and by patient (patient A/R), the summary (days in A/R, collection rates) and the CSV export."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from tests.e2e.admin_api import TenantKey, admin_client, tenant_with_payee
from tests.e2e.remittance_eras import ClaimPayment, Era, Line, billed_claims, deliver, payer_claim_control_number
from tests.support.encounters import example_encounter

pytestmark = pytest.mark.e2e
D = Decimal
TODAY = dt.date.today()
AGES = (10, 45, 75, 100, 140)  # days since the date of service; the 45-day claim is paid, the rest are not


@pytest.fixture(scope="module")
async def tenant_key(stack) -> TenantKey:
    """A tenant of its own, its 835s routed to it by its payee identifiers."""
    async with admin_client(stack) as admin:
        return await tenant_with_payee(admin, stack)


@pytest.fixture(scope="module")
async def tenant(tenant_key) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(headers=tenant_key.headers(), timeout=15) as client:
        yield client


@pytest.fixture(scope="module")
async def receivables(tenant, tenant_key, stack, database, anonymous) -> dict[str, str]:
    """Five SIMACK claims of 227.00 for two patients; the 45-day one paid 104.00 with 76.00 to patient one,
    who then paid 30.00."""
    accounts = {"one": f"PT-{uuid.uuid4().hex[:10].upper()}", "two": f"PT-{uuid.uuid4().hex[:10].upper()}"}

    async def claim(age: int, who: str):
        person = example_encounter()["patient"] | {"account_number": accounts[who]}
        date = (TODAY - dt.timedelta(days=age)).isoformat()
        [billed] = await billed_claims(tenant, stack, 1, patient=person, date_of_service=date,
                                       billing_provider=tenant_key.billing_provider())
        return billed

    claims = await asyncio.gather(*(claim(age, "one" if age < 60 else "two") for age in AGES))
    _, paid_claim = claims[AGES.index(45)]
    payment = ClaimPayment("1", payer_claim_control_number(), (
        Line(D("80"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20")))),
        Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6"))))))
    era = Era(paid_claim, [payment])  # its payee is the claim's billing provider: the tenant's own
    assert await deliver(anonymous, stack, database, era.text()) == "posted"
    url = stack["REMITTANCE_URL"]
    keys = {who: (await tenant.post(f"{url}/v1/patients/lookup", json={"account_number": a})).json()["patient_key"]
            for who, a in accounts.items()}
    paid = await tenant.post(f"{url}/v1/patients/{keys['one']}/payments", json={"amount": "30.00"},
                             headers={"Idempotency-Key": uuid.uuid4().hex})
    assert paid.status_code == 201, paid.text
    return keys


async def test_insurance_aging_by_payer(tenant, stack, receivables):
    response = await tenant.get(f"{stack['REMITTANCE_URL']}/v1/ar/aging", params={"by": "payer"})
    assert response.status_code == 200, response.text
    aging = response.json()
    assert aging["buckets"] == ["0-30", "31-60", "61-90", "91-120", "120+"]
    [row] = aging["rows"]
    assert row["key"] == "SIMACK" and row["total"] == "908.00"
    assert row["buckets"] == {"0-30": "227.00", "31-60": "0.00", "61-90": "227.00", "91-120": "227.00",
                              "120+": "227.00"}
    assert aging["totals"]["total"] == "908.00"


async def test_patient_aging_by_patient(tenant, stack, receivables):
    aging = (await tenant.get(f"{stack['REMITTANCE_URL']}/v1/ar/aging", params={"by": "patient"})).json()
    assert [(r["key"], r["buckets"]["0-30"], r["total"]) for r in aging["rows"]] == \
        [(receivables["one"], "46.00", "46.00")]  # patient two owes nothing: their claims are with the payer
    later = (await tenant.get(f"{stack['REMITTANCE_URL']}/v1/ar/aging",
                              params={"by": "patient", "as_of": (TODAY + dt.timedelta(days=40)).isoformat()})).json()
    assert later["rows"][0]["buckets"]["31-60"] == "46.00"


async def test_summary_days_in_a_r_and_collection_rates(tenant, stack, receivables):
    summary = (await tenant.get(f"{stack['REMITTANCE_URL']}/v1/ar/summary")).json()
    assert (summary["insurance"]["total"], summary["patient"]["total"], summary["total"]) == \
        ("908.00", "46.00", "954.00")
    assert (summary["charges"], summary["collected"], summary["written_off"]) == ("1135.00", "134.00", "47.00")
    assert summary["days_in_a_r"] == "126.1"  # 954 / (681 charged in the last 90 days / 90)
    assert (summary["gross_collection_rate"], summary["net_collection_rate"]) == ("0.1181", "0.1232")


@pytest.mark.parametrize("how", ["route", "accept"])
async def test_the_aging_exports_as_csv(tenant, stack, receivables, how):
    url = f"{stack['REMITTANCE_URL']}/v1/ar/aging"
    if how == "route":
        response = await tenant.get(f"{url}.csv", params={"by": "payer"})
    else:
        response = await tenant.get(url, params={"by": "payer"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [["payer", "0-30", "31-60", "61-90", "91-120", "120+", "total", "credit"],
                    ["SIMACK", "227.00", "0.00", "227.00", "227.00", "227.00", "908.00", "0.00"]]


async def test_another_tenant_sees_none_of_it(api, stack, receivables):
    aging = (await api.get(f"{stack['REMITTANCE_URL']}/v1/ar/aging", params={"by": "patient"})).json()
    assert receivables["one"] not in {r["key"] for r in aging["rows"]}
