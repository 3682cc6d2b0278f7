"""ERAs belong to a payee: tenants register the NPIs and tax ids they are paid under, each 835 goes to the tenant
its payee names (listed whether or not a claim matched), an unknown payee waits for an operator, and no tenant
ever sees or posts another's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.e2e.admin_api import (
    admin_client,
    assert_problem,
    register_payees,
    remittance_routes_to,
    tenant_with_key,
    tenant_with_payee,
)
from tests.e2e.remittance_eras import ClaimPayment, Era, Line, billed_claims, deliver, payer_claim_control_number
from tests.support.payees import DEV_NPI, DEV_TIN, billing_provider, new_npi, new_tin

pytestmark = pytest.mark.e2e
D = Decimal
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def admin(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with admin_client(stack) as client:
        yield client


@pytest.fixture
async def operator(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """Remittance's operator API (ADMIN_TOKEN)."""
    async with httpx.AsyncClient(base_url=stack["REMITTANCE_URL"], timeout=30,
                                 headers={"Authorization": f"Bearer {stack['ADMIN_TOKEN']}"}) as client:
        yield client


def paying() -> ClaimPayment:
    """A claim payment of the test encounter's two lines (227.00 billed, 104.00 paid, 76.00 to the patient)."""
    return ClaimPayment("1", payer_claim_control_number(), (
        Line(D("80"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20")))),
        Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6"))))))


async def traces(client: httpx.AsyncClient, stack: dict[str, str]) -> tuple[set[str], set[str]]:
    """Trace numbers of the client's tenant's ERAs, and of its unmatched queue."""
    url = f"{stack['REMITTANCE_URL']}/v1/eras"
    eras = (await client.get(url, params={"limit": 500})).json()["eras"]
    queue = (await client.get(f"{url}/unmatched", params={"limit": 500})).json()["unmatched"]
    return {e["trace_number"] for e in eras}, {w["trace_number"] for w in queue}


async def test_an_identifier_belongs_to_one_tenant_and_taking_another_tenants_is_a_409(admin, stack) -> None:
    first, second = await tenant_with_key(admin), await tenant_with_key(admin)
    npi, tin = new_npi(), new_tin()
    registered = await register_payees(admin, first.tenant_id, [npi], [f"{tin[:2]}-{tin[2:]}"])
    assert registered.status_code == 200, registered.text
    assert registered.json() == {"tenant_id": first.tenant_id, "revision": 1, "npis": [npi], "tins": [tin]}
    assert (await admin.get(f"/v1/admin/tenants/{first.tenant_id}/payee-identifiers")).json() == registered.json()

    taken = assert_problem(await register_payees(admin, second.tenant_id, [new_npi(), npi], []), 409)
    assert taken["identifiers"] == [{"kind": "npi", "identifier": npi}]
    assert first.tenant_id not in json.dumps(taken)  # who holds it is not the asker's business
    wrong_check_digit = npi[:9] + str((int(npi[9]) + 1) % 10)  # not "0": a tenth of NPIs end in 0
    invalid = assert_problem(await register_payees(admin, second.tenant_id, [wrong_check_digit], ["12345"]), 422)
    assert invalid["detail"] == ("npis[0] is not a 10-digit NPI with its check digit; "
                                 "tins[0] is not a 9-digit tax id")
    assert_problem(await register_payees(admin, f"nobody-{uuid.uuid4().hex[:8]}", [npi], []), 404)

    released = await register_payees(admin, first.tenant_id, [], [tin])  # the NPI is let go, then free to take
    assert released.json()["revision"] == 2
    assert (await register_payees(admin, second.tenant_id, [npi], [])).status_code == 200
    await remittance_routes_to(stack, npi, second.tenant_id)
    await remittance_routes_to(stack, tin, first.tenant_id)


async def test_the_admin_command_registers_payees_and_refuses_a_taken_one(admin, stack) -> None:
    first, second = await tenant_with_key(admin), await tenant_with_key(admin)
    npi = new_npi()

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.intake.admin", *args], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "DATABASE_URL": stack["DATABASE_URL"]}, timeout=120)

    done = command("set-payees", first.tenant_id, "--npi", npi)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["npis"] == [npi]
    refused = command("set-payees", second.tenant_id, "--npi", npi)
    assert refused.returncode == 1 and f"NPI {npi}" in refused.stderr
    listed = command("list-payees", first.tenant_id)
    assert json.loads(listed.stdout) == {"tenant_id": first.tenant_id, "revision": 1, "npis": [npi], "tins": []}


async def test_another_tenants_waiting_payment_is_never_in_a_queue_nor_posted_to_a_claim_like_it(
        api, admin, stack, database, anonymous) -> None:
    """The dev tenant's ERA pays a claim number it never billed, exactly like another tenant's claim: only the
    dev tenant sees it waiting, and the other tenant cannot post it to its claim."""
    other = await tenant_with_key(admin)
    async with httpx.AsyncClient(headers=other.headers(), timeout=15) as other_client:
        [(claim_id, claim)] = await billed_claims(other_client, stack, 1)
        lookalike = replace(claim, patient_control_number=claim.patient_control_number[:14])  # a candidate's signs
        era = Era(lookalike, [paying()], payee_npi=DEV_NPI, payee_tin=DEV_TIN)  # the dev tenant's payee
        assert await deliver(anonymous, stack, database, era.text()) == "unmatched"
        era_id = await database.fetchval("SELECT era_id::text FROM remittance.eras WHERE trace_number = $1",
                                         era.trace_number)

        listed, queued = await traces(other_client, stack)
        assert era.trace_number not in queued and era.trace_number not in listed
        match = f"{stack['REMITTANCE_URL']}/v1/eras/{era_id}/claims/0/match"
        assert_problem(await other_client.post(match, json={"claim_id": claim_id}), 404)
        ledger = (await other_client.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
        assert (ledger["status"], ledger["paid"], ledger["entries"]) == ("submitted", "0.00", [])

    listed, queued = await traces(api, stack)  # the payee's tenant has it waiting, without the other's claim
    assert era.trace_number in listed and era.trace_number in queued
    [waiting] = [w for w in (await api.get(f"{stack['REMITTANCE_URL']}/v1/eras/unmatched",
                                           params={"limit": 500})).json()["unmatched"]
                 if w["trace_number"] == era.trace_number]
    assert claim_id not in {c["claim_id"] for c in waiting["candidates"]}


async def test_an_era_none_of_whose_claims_matched_is_listed_for_its_payees_tenant(
        api, admin, stack, database, anonymous) -> None:
    [(_, claim)] = await billed_claims(api, stack, 1)
    unknown = replace(claim, patient_control_number=f"NEVER{uuid.uuid4().hex[:12].upper()}")
    era = Era(unknown, [paying()])
    assert await deliver(anonymous, stack, database, era.text()) == "unmatched"

    eras = (await api.get(f"{stack['REMITTANCE_URL']}/v1/eras", params={"limit": 500})).json()["eras"]
    [row] = [e for e in eras if e["trace_number"] == era.trace_number]
    assert (row["status"], row["matched_claims"], row["unmatched_claims"]) == (
        "unmatched", [], [unknown.patient_control_number])
    assert row["payee"] == {"name": "SPRINGFIELD FAMILY MEDICINE", "npi": "1234567893", "tin": "371234567"}
    assert era.trace_number in (await traces(api, stack))[1]
    stranger = await tenant_with_key(admin)
    async with httpx.AsyncClient(headers=stranger.headers(), timeout=15) as stranger_client:
        assert await traces(stranger_client, stack) == (set(), set())


async def test_an_unknown_payees_era_waits_for_an_operator_and_posts_once_its_practice_registers(
        admin, operator, stack, database, anonymous) -> None:
    practice = await tenant_with_key(admin)
    npi, tin = new_npi(), new_tin()
    async with httpx.AsyncClient(headers=practice.headers(), timeout=15) as client:
        [(claim_id, claim)] = await billed_claims(client, stack, 1, billing_provider=billing_provider(npi, tin))
        era = Era(claim, [paying()])  # its payee: the claim's billing provider, which nobody registered yet
        assert await deliver(anonymous, stack, database, era.text()) == "unrouted"
        assert await traces(client, stack) == (set(), set())  # nobody's yet, not even the practice's

        assert_problem(await anonymous.get(f"{stack['REMITTANCE_URL']}/v1/admin/eras/unrouted"), 401)
        waiting = (await operator.get("/v1/admin/eras/unrouted", params={"limit": 500})).json()["eras"]
        [row] = [e for e in waiting if e["trace_number"] == era.trace_number]
        assert row["reason"] == f"payee not registered by any tenant: NPI {npi}, TIN {tin}"
        assert (row["status"], row["payee_npi"], row["payee_tin"], row["claims_total"], row["total_paid"]) == (
            "unrouted", npi, tin, 1, "104.00")
        refused = assert_problem(await operator.post(f"/v1/admin/eras/{row['era_id']}/route"), 409)
        assert refused["detail"] == row["reason"]

        assert (await register_payees(admin, practice.tenant_id, [npi], [tin])).status_code == 200
        await remittance_routes_to(stack, npi, practice.tenant_id)
        routed = await operator.post(f"/v1/admin/eras/{row['era_id']}/route")
        assert routed.status_code == 200, routed.text
        assert routed.json() == {"era_id": row["era_id"], "tenant_id": practice.tenant_id, "status": "posted"}
        ledger = (await client.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
        assert (ledger["status"], ledger["paid"], ledger["patient_balance"]) == ("paid", "104.00", "76.00")
        assert era.trace_number in (await traces(client, stack))[0]
        assert_problem(await operator.post(f"/v1/admin/eras/{row['era_id']}/route"), 404)  # routed once
        waiting = (await operator.get("/v1/admin/eras/unrouted", params={"limit": 500})).json()["eras"]
        assert era.trace_number not in {e["trace_number"] for e in waiting}


async def test_a_payee_naming_two_tenants_goes_to_neither(admin, operator, api, stack, database, anonymous) -> None:
    first, second = await tenant_with_payee(admin, stack), await tenant_with_payee(admin, stack)
    [(_, claim)] = await billed_claims(api, stack, 1)
    era = Era(claim, [paying()], payee_npi=first.npi or "", payee_tin=second.tin or "")
    assert await deliver(anonymous, stack, database, era.text()) == "unrouted"
    waiting = (await operator.get("/v1/admin/eras/unrouted", params={"limit": 500})).json()["eras"]
    [row] = [e for e in waiting if e["trace_number"] == era.trace_number]
    assert row["reason"] == f"payee identifiers belong to different tenants: NPI {first.npi}, TIN {second.tin}"
    for key in (first, second):
        async with httpx.AsyncClient(headers=key.headers(), timeout=15) as client:
            assert era.trace_number not in (await traces(client, stack))[0]


async def test_the_console_lists_unrouted_eras_and_routes_one(admin, stack, database, anonymous) -> None:
    npi, tin = new_npi(), new_tin()
    practice = await tenant_with_key(admin)
    async with httpx.AsyncClient(headers=practice.headers(), timeout=15) as client:
        [(_, claim)] = await billed_claims(client, stack, 1, billing_provider=billing_provider(npi, tin))
    era = Era(claim, [paying()])
    assert await deliver(anonymous, stack, database, era.text()) == "unrouted"
    era_id = await database.fetchval("SELECT era_id::text FROM remittance.eras WHERE trace_number = $1",
                                     era.trace_number)
    async with httpx.AsyncClient(base_url=stack["CONSOLE_URL"], timeout=30,
                                 headers={"Authorization": f"Bearer {stack['ADMIN_TOKEN']}"}) as console:
        page = await console.get("/eras/unrouted")
        assert page.status_code == 200 and era.trace_number in page.text and npi in page.text
        refused = await console.post(f"/eras/{era_id}/route", follow_redirects=True)
        assert "was not routed: payee not registered by any tenant" in refused.text
        assert (await register_payees(admin, practice.tenant_id, [npi], [tin])).status_code == 200
        await remittance_routes_to(stack, npi, practice.tenant_id)
        routed = await console.post(f"/eras/{era_id}/route", follow_redirects=True)
        assert f"went to {practice.tenant_id}: posted" in routed.text
        assert era.trace_number not in routed.text.split('id="unrouted-eras"')[1]
    async with httpx.AsyncClient(base_url=stack["CONSOLE_URL"], timeout=15) as signed_out:
        assert (await signed_out.get("/eras/unrouted")).headers["location"] == "/login"
