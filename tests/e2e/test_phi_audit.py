"""Every service audits the reads that disclose PHI, in its own append-only log, as intake always has:
the 837 and the CMS-1500, 277 answers, the clinical note and the review, statements, appeal letters."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.admin_api import TenantClient, admin_client, tenant_with_payee
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.denials_api import NO_CLAIM, denial_of
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e
AGENT = {"User-Agent": "e2e-phi-audit/1.0"}
UNREADABLE_NOTE = "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} \\f0\\fs24 scanned visit note}"
SIMACK_REMITTANCE_DAYS = 14  # services/submission/domain/follow_up_payers.json


@pytest.fixture(scope="module")
async def tenant(stack: dict[str, str]) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """A tenant of its own (so its audit rows are only this module's) with a client on its key, billing
    under the payee its 835s are routed by."""
    async with admin_client(stack) as admin:
        key = await tenant_with_payee(admin, stack)
    async with TenantClient(headers={**key.headers(), **AGENT}, timeout=30) as client:
        client.billing_provider = key.billing_provider()
        for url in (f"{stack['DENIALS_URL']}/v1/denials", f"{stack['CODING_URL']}/v1/claims/{NO_CLAIM}/coding",
                    f"{stack['SUBMISSION_URL']}/v1/scrubber/edits", f"{stack['REMITTANCE_URL']}/v1/eras"):
            await eventually(lambda url=url: client.get(url), lambda r: r.status_code != 401, f"{url} to know the key")
        yield key.key_id, client


async def audited(stack: dict[str, str], service: str, claim_id: str) -> list[tuple[str, str, str, str | None]]:
    """(principal, method, endpoint, user agent) of each entry of the claim in the service's audit log."""
    async with admin_client(stack) as admin:
        response = await admin.get(f"{stack[service.upper() + '_URL']}/v1/admin/audit", params={"claim_id": claim_id})
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    assert all(e["trace_id"] and e["client_ip"] == "127.0.0.1" for e in entries), entries
    return [(f"{e['principal_kind']}:{e['principal_id']}", e["method"], e["endpoint"], e["user_agent"])
            for e in entries]


async def claim(client: TenantClient, stack: dict[str, str], payer: str, **changes: Any) -> str:
    changes = {"billing_provider": client.billing_provider, **changes}
    response = await post_encounter(client, stack, encounter_for(payer, **changes))
    assert response.status_code == 202, response.text
    return response.json()["claim_id"]


async def test_submission_audits_the_837_the_cms1500_and_the_277(tenant, stack):
    key_id, client = tenant
    claim_id = await claim(client, stack, "SIMACK")
    await claim_reaching(client, stack, claim_id, {"accepted"})
    base = f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}"
    assert (await client.get(f"{base}/submissions")).status_code == 200
    assert (await client.get(f"{base}/cms1500.pdf")).status_code == 200
    as_of = (dt.datetime.now(dt.UTC) + dt.timedelta(days=SIMACK_REMITTANCE_DAYS + 1)).isoformat()
    swept = await client.post(f"{stack['SUBMISSION_URL']}/v1/follow-up/run", json={"as_of": as_of})
    assert swept.status_code == 200, swept.text
    inquiries = (await client.get(f"{base}/status-inquiries")).json()["inquiries"]
    assert inquiries and inquiries[0]["x12_277"], inquiries

    assert await audited(stack, "submission", claim_id) == [
        (f"api_key:{key_id}", "GET", path, AGENT["User-Agent"]) for path in (
            "/v1/claims/{claim_id}/submissions", "/v1/claims/{claim_id}/cms1500.pdf",
            "/v1/claims/{claim_id}/status-inquiries")]


async def test_coding_audits_the_claims_codes_the_review_and_its_note(tenant, stack):
    key_id, client = tenant
    claim_id = await claim(client, stack, "SIMPAY", clinical_note=UNREADABLE_NOTE)
    reviews = await eventually(
        lambda: client.get(f"{stack['CODING_URL']}/v1/coding/reviews", params={"claim_id": claim_id}),
        lambda r: len(r.json()["reviews"]) == 1, "the claim in the coder queue")
    review_id = reviews.json()["reviews"][0]["review_id"]
    assert (await client.get(f"{stack['CODING_URL']}/v1/claims/{claim_id}/coding")).status_code == 200
    assert (await client.get(f"{stack['CODING_URL']}/v1/coding/reviews/{review_id}")).status_code == 200
    assert (await client.get(f"{stack['CODING_URL']}/v1/coding/reviews/{review_id}/note")).status_code == 200

    assert await audited(stack, "coding", claim_id) == [
        (f"api_key:{key_id}", "GET", path, AGENT["User-Agent"]) for path in (
            "/v1/claims/{claim_id}/coding", "/v1/coding/reviews/{review_id}", "/v1/coding/reviews/{review_id}/note")]


async def test_denials_audits_the_appeal_letter_and_remittance_the_patient_ledger_and_statement(tenant, stack):
    key_id, client = tenant
    account = f"PT-{uuid.uuid4().hex[:10].upper()}"
    encounter = encounter_for("SIMDNY")
    claim_id = await claim(client, stack, "SIMDNY", patient=encounter["patient"] | {"account_number": account})
    denial = await denial_of(client, stack, claim_id)
    appeal = await client.post(f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/appeals",
                               json={"level": "first", "created_by": "casey"})
    assert appeal.status_code == 201, appeal.text
    assert (await client.get(f"{stack['DENIALS_URL']}{appeal.json()['letter_url']}")).status_code == 200
    assert await audited(stack, "denials", claim_id) == [
        (f"api_key:{key_id}", "GET", "/v1/appeals/{appeal_id}/letter.pdf", AGENT["User-Agent"])]

    patient_key = (await client.post(f"{stack['REMITTANCE_URL']}/v1/patients/lookup",
                                     json={"account_number": account})).json()["patient_key"]
    assert (await client.get(f"{stack['REMITTANCE_URL']}/v1/patients/{patient_key}/ledger")).status_code == 200
    statement = await client.post(f"{stack['REMITTANCE_URL']}/v1/patients/{patient_key}/statements",
                                  json={"as_of": dt.date.today().isoformat()})
    assert statement.status_code == 200, statement.text
    statement_id = statement.json()["statement_id"]
    assert (await client.get(f"{stack['REMITTANCE_URL']}/v1/statements/{statement_id}")).status_code == 200
    assert (await client.get(f"{stack['REMITTANCE_URL']}/v1/statements/{statement_id}.pdf")).status_code == 200
    assert await audited(stack, "remittance", claim_id) == [
        (f"api_key:{key_id}", "GET", path, AGENT["User-Agent"]) for path in (
            "/v1/patients/{patient_key}/ledger", "/v1/statements/{statement_id}", "/v1/statements/{statement_id}.pdf")]


@pytest.mark.parametrize("schema", ["coding", "submission", "remittance", "denials"])
async def test_each_services_audit_log_refuses_update_delete_and_truncate(database: asyncpg.Pool, schema):
    async with database.acquire() as connection:
        probe = connection.transaction()
        await probe.start()
        try:
            await connection.execute(
                f"INSERT INTO {schema}.audit_log (tenant_id, principal_kind, principal_id, method, endpoint) "
                "VALUES ('e2e-audit', 'api_key', 'k', 'GET', '/probe')")
            for statement in (f"UPDATE {schema}.audit_log SET tenant_id = 'someone-else'",
                              f"DELETE FROM {schema}.audit_log", f"TRUNCATE {schema}.audit_log"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                    async with connection.transaction():  # a savepoint: the refusal leaves the probe usable
                        await connection.execute(statement)
        finally:
            await probe.rollback()  # the probe row never lands in the append-only log
