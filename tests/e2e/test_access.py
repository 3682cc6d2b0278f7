"""Tenants and access through the running stack: admin API, API keys, OAuth tokens and scopes,
tenant isolation on every service, per-tenant rate limits and the append-only audit log."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from tests.e2e.admin_api import (
    access_token,
    admin_client,
    assert_problem,
    bearer,
    claim_urls,
    create_tenant,
    issue_key,
    read_urls,
    register_client,
    request_token,
    tenant_with_key,
    tenant_with_payee,
)
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e
BOTH_SCOPES = ["encounters:write", "claims:read"]


@pytest.fixture(scope="module")
async def admin(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client on intake's admin API."""
    async with admin_client(stack) as client:
        yield client


async def answers_everywhere_but_401(client: httpx.AsyncClient, stack: dict[str, str], headers: dict[str, str],
                                     timeout: float = 15) -> None:
    """Every service accepts the credential (it may take a poll of the tenants topic to get there)."""
    for url in read_urls(stack):
        response = await eventually(lambda url=url: client.get(url, headers=headers),
                                    lambda r: r.status_code != 401, f"{url} to accept the credential", timeout)
        assert response.status_code in (200, 404), response.text


async def refused_everywhere(client: httpx.AsyncClient, stack: dict[str, str], headers: dict[str, str],
                             timeout: float = 10) -> None:
    """Every service answers 401 to the credential within timeout seconds."""
    for url in read_urls(stack):
        response = await eventually(lambda url=url: client.get(url, headers=headers),
                                    lambda r: r.status_code == 401, f"{url} to refuse the credential", timeout)
        assert_problem(response, 401)


# admin API ------------------------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [None, "Bearer wrong-admin-token", "Basic YWRtaW46YWRtaW4="])
async def test_the_admin_api_needs_the_admin_token(anonymous, stack, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in (("POST", "/v1/admin/tenants"), ("GET", "/v1/admin/audit"),
                         ("DELETE", "/v1/admin/api-keys/nope"), ("POST", "/v1/admin/tenants/x/api-keys")):
        response = await anonymous.request(method, stack["INTAKE_URL"] + path, headers=headers,
                                           json={"tenant_id": "x"} if method == "POST" else None)
        assert_problem(response, 401)


async def test_a_tenant_api_key_is_not_an_admin_token(api, stack):
    assert_problem(await api.get(f"{stack['INTAKE_URL']}/v1/admin/audit"), 401)


async def test_tenants_are_created_once_and_keys_only_for_known_tenants(admin):
    tenant_id = await create_tenant(admin)
    assert_problem(await admin.post("/v1/admin/tenants", json={"tenant_id": tenant_id}), 409)
    assert_problem(await admin.post("/v1/admin/tenants", json={"tenant_id": "no spaces/or slashes"}), 422)
    assert_problem(await admin.post("/v1/admin/tenants", json={"tenant_id": "x1", "rate_limit_burst": 3}), 422)
    assert_problem(await admin.post("/v1/admin/tenants/e2e-no-such-tenant/api-keys"), 404)
    assert_problem(await admin.delete("/v1/admin/api-keys/no-such-key"), 404)
    assert_problem(await admin.delete("/v1/admin/oauth-clients/no-such-client"), 404)
    assert_problem(await admin.post(f"/v1/admin/tenants/{tenant_id}/oauth-clients",
                                    json={"scopes": ["claims:delete"]}), 422)


# API keys -------------------------------------------------------------------------------------

async def test_an_issued_key_works_everywhere_and_a_revoked_one_nowhere_within_seconds(admin, anonymous, stack):
    key = await tenant_with_key(admin)
    created = await anonymous.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter_for("SIMACK"),
                                   headers=key.headers())
    assert created.status_code == 202, created.text
    await answers_everywhere_but_401(anonymous, stack, key.headers())
    listed = (await admin.get(f"/v1/admin/tenants/{key.tenant_id}/api-keys")).json()["api_keys"]
    assert [(k["key_id"], k["revoked_at"]) for k in listed] == [(key.key_id, None)]
    assert "key_hash" not in listed[0] and key.key not in json.dumps(listed)

    revoked = await admin.delete(f"/v1/admin/api-keys/{key.key_id}")
    assert revoked.status_code == 204, revoked.text
    await refused_everywhere(anonymous, stack, key.headers())
    listed = (await admin.get(f"/v1/admin/tenants/{key.tenant_id}/api-keys")).json()["api_keys"]
    assert listed[0]["revoked_at"] is not None
    assert (await admin.delete(f"/v1/admin/api-keys/{key.key_id}")).status_code == 204  # idempotent


async def test_revoking_one_key_leaves_the_tenants_other_keys_working(admin, anonymous, stack):
    first = await tenant_with_key(admin)
    second = await issue_key(admin, first.tenant_id)
    await answers_everywhere_but_401(anonymous, stack, second.headers())
    assert (await admin.delete(f"/v1/admin/api-keys/{first.key_id}")).status_code == 204
    await refused_everywhere(anonymous, stack, first.headers())
    for url in read_urls(stack):
        assert (await anonymous.get(url, headers=second.headers())).status_code in (200, 404)


# OAuth2 client credentials --------------------------------------------------------------------

async def test_client_credentials_by_basic_or_form_give_a_bearer_token(admin, anonymous, stack):
    tenant_id = await create_tenant(admin)
    client_id, secret = await register_client(admin, tenant_id, BOTH_SCOPES)
    for basic in (True, False):
        response = await request_token(anonymous, stack["INTAKE_URL"], client_id, secret, basic=basic)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 900
        assert set(body["scope"].split()) == set(BOTH_SCOPES)
        assert response.headers["cache-control"] == "no-store"
        header, payload, _ = body["access_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        assert json.loads(base64.urlsafe_b64decode(header + "=="))["alg"] == "EdDSA"
        assert (claims["tenant_id"], claims["client_id"], claims["exp"] - claims["iat"]) == (tenant_id, client_id, 900)
        assert claims["jti"]


async def test_a_token_works_on_every_service_without_calling_intake(admin, anonymous, stack):
    tenant_id = await create_tenant(admin)
    client_id, secret = await register_client(admin, tenant_id, BOTH_SCOPES)
    token = await access_token(anonymous, stack["INTAKE_URL"], client_id, secret)
    created = await anonymous.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter_for("SIMPAY"),
                                   headers=bearer(token))
    assert created.status_code == 202, created.text
    claim_id = created.json()["claim_id"]
    claim = await anonymous.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}", headers=bearer(token))
    assert claim.status_code == 200 and claim.json()["claim_id"] == claim_id
    await answers_everywhere_but_401(anonymous, stack, bearer(token), timeout=10)


@pytest.mark.parametrize(("case", "change"), [
    ("wrong secret", lambda cid, s: (cid, s + "x")),
    ("unknown client", lambda cid, s: ("clc_0000000000000000", s)),
    ("empty secret", lambda cid, s: (cid, "")),
])
async def test_bad_client_credentials_are_invalid_client(admin, anonymous, stack, case, change):
    client_id, secret = await register_client(admin, await create_tenant(admin), ["claims:read"])
    response = await request_token(anonymous, stack["INTAKE_URL"], *change(client_id, secret))
    assert assert_problem(response, 401)["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_malformed_token_requests_are_refused_the_oauth_way(admin, anonymous, stack):
    client_id, secret = await register_client(admin, await create_tenant(admin), ["claims:read"])
    url = f"{stack['INTAKE_URL']}/v1/oauth/token"
    cases = [
        ({"data": {"grant_type": "password"}, "auth": (client_id, secret)}, 400, "unsupported_grant_type"),
        ({"data": {}, "auth": (client_id, secret)}, 400, "invalid_request"),
        ({"json": {"grant_type": "client_credentials"}, "auth": (client_id, secret)}, 400, "invalid_request"),
        ({"data": {"grant_type": "client_credentials", "client_id": client_id}, "auth": (client_id, secret)},
         400, "invalid_request"),
        ({"data": {"grant_type": "client_credentials", "scope": "encounters:write"}, "auth": (client_id, secret)},
         400, "invalid_scope"),
        ({"data": {"grant_type": "client_credentials"}}, 401, "invalid_client"),
    ]
    for request, status, error in cases:
        assert assert_problem(await anonymous.post(url, **request), status)["error"] == error


async def test_scopes_decide_what_a_token_may_do(admin, anonymous, stack):
    tenant_id = await create_tenant(admin)
    writer_id, writer_secret = await register_client(admin, tenant_id, BOTH_SCOPES)
    writer = bearer(await access_token(anonymous, stack["INTAKE_URL"], writer_id, writer_secret, "encounters:write"))
    reader_id, reader_secret = await register_client(admin, tenant_id, ["claims:read"])
    reader = bearer(await access_token(anonymous, stack["INTAKE_URL"], reader_id, reader_secret))

    created = await anonymous.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter_for("SIMACK"),
                                   headers=writer)
    assert created.status_code == 202, created.text
    claim_id = created.json()["claim_id"]
    refused = await anonymous.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter_for("SIMACK"),
                                   headers=reader)
    assert assert_problem(refused, 403)["required_scope"] == "encounters:write"
    for url in [*claim_urls(stack, claim_id), f"{stack['INTAKE_URL']}/v1/claims", f"{stack['DENIALS_URL']}/v1/denials"]:
        assert assert_problem(await anonymous.get(url, headers=writer), 403)["required_scope"] == "claims:read"
    assert (await anonymous.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}", headers=reader)).status_code == 200
    assert (await anonymous.get(f"{stack['INTAKE_URL']}/v1/claims", headers=reader)).status_code == 200


async def test_a_revoked_client_gets_no_token_and_its_tokens_stop_everywhere(admin, anonymous, stack):
    client_id, secret = await register_client(admin, await create_tenant(admin), BOTH_SCOPES)
    token = await access_token(anonymous, stack["INTAKE_URL"], client_id, secret)
    await answers_everywhere_but_401(anonymous, stack, bearer(token))
    assert (await admin.delete(f"/v1/admin/oauth-clients/{client_id}")).status_code == 204
    refused = await request_token(anonymous, stack["INTAKE_URL"], client_id, secret)
    assert assert_problem(refused, 401)["error"] == "invalid_client"
    await refused_everywhere(anonymous, stack, bearer(token))


@pytest.mark.parametrize("tamper", ["payload", "signature", "unsigned"])
async def test_a_tampered_token_is_401_everywhere(admin, anonymous, stack, tamper):
    client_id, secret = await register_client(admin, await create_tenant(admin), BOTH_SCOPES)
    header, payload, signature = (await access_token(anonymous, stack["INTAKE_URL"], client_id, secret)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged_payload = base64.urlsafe_b64encode(json.dumps({**claims, "tenant_id": "dev-practice"}).encode())
    unsigned_header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).decode()
    forged = {"payload": f"{header}.{forged_payload.decode().rstrip('=')}.{signature}",
              "signature": f"{header}.{payload}.{signature[:-4]}AAAA",
              "unsigned": f"{unsigned_header.rstrip('=')}.{payload}."}[tamper]
    for url in read_urls(stack):
        assert_problem(await anonymous.get(url, headers=bearer(forged)), 401)


# tenant isolation -----------------------------------------------------------------------------

async def test_another_tenants_claim_is_404_on_every_service_with_a_key_or_a_token(admin, anonymous, stack):
    owner = await tenant_with_payee(admin, stack)  # its 835s are routed to it by payee
    async with httpx.AsyncClient(headers=owner.headers(), timeout=15) as owner_client:
        created = await post_encounter(owner_client, stack, encounter_for(
            "SIMDNY", billing_provider=owner.billing_provider()))
        assert created.status_code == 202, created.text
        claim_id = created.json()["claim_id"]
        await claim_reaching(owner_client, stack, claim_id, {"denied"})
        for url in claim_urls(stack, claim_id):  # the data is there: the owner sees it everywhere
            found = await eventually(lambda url=url: owner_client.get(url), lambda r: r.status_code == 200,
                                     f"the owner to read {url}", 30)
            assert found.status_code == 200
        owner_denials = await eventually(lambda: owner_client.get(f"{stack['DENIALS_URL']}/v1/denials"),
                                         lambda r: claim_id in {d["claim_id"] for d in r.json()["denials"]},
                                         "the owner's denial record", 30)
        assert owner_denials.status_code == 200

    stranger = await tenant_with_key(admin)
    client_id, secret = await register_client(admin, stranger.tenant_id, BOTH_SCOPES)
    token = bearer(await access_token(anonymous, stack["INTAKE_URL"], client_id, secret))
    await answers_everywhere_but_401(anonymous, stack, stranger.headers())
    for headers in (stranger.headers(), token):
        for url in claim_urls(stack, claim_id):
            assert_problem(await anonymous.get(url, headers=headers), 404)
        denials = (await anonymous.get(f"{stack['DENIALS_URL']}/v1/denials", headers=headers)).json()
        assert claim_id not in {d["claim_id"] for d in denials["denials"]}
        eras = (await anonymous.get(f"{stack['REMITTANCE_URL']}/v1/eras", headers=headers)).json()
        assert claim_id not in {c for era in eras["eras"] for c in era["matched_claims"]}
        listed = (await anonymous.get(f"{stack['INTAKE_URL']}/v1/claims", headers=headers)).json()
        assert claim_id not in {c["claim_id"] for c in listed["claims"]}


# rate limits ----------------------------------------------------------------------------------

async def test_a_tenant_over_its_rate_gets_429_with_retry_after_and_others_do_not(admin, api, anonymous, stack):
    # 0.2/s: the five requests below take far less than the 5 s one token needs to come back.
    limited = await tenant_with_key(admin, rate_limit_per_second=0.2, rate_limit_burst=3)
    url = f"{stack['INTAKE_URL']}/v1/claims"
    responses = [await anonymous.get(url, headers=limited.headers()) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429], [r.text for r in responses]
    problem = assert_problem(responses[3], 429)
    retry_after = int(responses[3].headers["retry-after"])
    assert 1 <= retry_after <= 5 and problem["retry_after"] == retry_after
    assert (await api.get(url)).status_code == 200  # the development tenant has its own budget
    await asyncio.sleep(retry_after)
    assert (await anonymous.get(url, headers=limited.headers())).status_code == 200


async def test_the_rate_limit_counts_every_credential_of_the_tenant(admin, anonymous, stack):
    limited = await tenant_with_key(admin, rate_limit_per_second=0.1, rate_limit_burst=2)
    client_id, secret = await register_client(admin, limited.tenant_id, BOTH_SCOPES)
    token = bearer(await access_token(anonymous, stack["INTAKE_URL"], client_id, secret))
    url = f"{stack['INTAKE_URL']}/v1/claims"
    assert (await anonymous.get(url, headers=limited.headers())).status_code == 200
    assert (await anonymous.get(url, headers=token)).status_code == 200
    assert_problem(await anonymous.get(url, headers=token), 429)
    assert_problem(await anonymous.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter_for("SIMACK"),
                                        headers=limited.headers()), 429)


# audit log ------------------------------------------------------------------------------------

async def test_every_phi_read_is_audited_with_who_what_and_where(admin, anonymous, stack):
    key = await tenant_with_key(admin)
    client_id, secret = await register_client(admin, key.tenant_id, BOTH_SCOPES)
    token = bearer(await access_token(anonymous, stack["INTAKE_URL"], client_id, secret))
    created = await anonymous.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter_for("SIMACK"),
                                   headers=key.headers())
    claim_id = created.json()["claim_id"]
    agent = {"User-Agent": "e2e-audit/1.0"}
    for path in (f"/v1/claims/{claim_id}", f"/v1/claims/{claim_id}/events", "/v1/claims"):
        assert (await anonymous.get(stack["INTAKE_URL"] + path, headers={**key.headers(), **agent})).status_code == 200
    assert (await anonymous.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}", headers=token)).status_code == 200
    stranger = await tenant_with_key(admin)
    assert_problem(await anonymous.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}", headers=stranger.headers()),
                   404)

    found = await admin.get("/v1/admin/audit", params={"tenant_id": key.tenant_id, "claim_id": claim_id})
    assert found.status_code == 200, found.text
    rows = [(e["principal_kind"], e["principal_id"], e["method"], e["endpoint"], e["user_agent"])
            for e in found.json()["entries"]]
    assert rows == [
        ("api_key", key.key_id, "GET", "/v1/claims/{claim_id}", "e2e-audit/1.0"),
        ("api_key", key.key_id, "GET", "/v1/claims/{claim_id}/events", "e2e-audit/1.0"),
        ("api_key", key.key_id, "GET", "/v1/claims", "e2e-audit/1.0"),
        ("oauth_client", client_id, "GET", "/v1/claims/{claim_id}", rows[3][4]),
    ]
    entries = found.json()["entries"]
    assert {e["client_ip"] for e in entries} == {"127.0.0.1"} and all(e["occurred_at"] for e in entries)
    assert all(e["trace_id"] and len(e["trace_id"]) == 32 for e in entries)
    by_stranger = await admin.get("/v1/admin/audit", params={"tenant_id": stranger.tenant_id})
    assert by_stranger.json()["entries"] == []  # nothing was disclosed to them
    later = await admin.get("/v1/admin/audit", params={"claim_id": claim_id, "since": entries[-1]["occurred_at"]})
    assert [e["audit_id"] for e in later.json()["entries"]] == [entries[-1]["audit_id"]]


async def test_the_audit_table_refuses_update_delete_and_truncate(admin, api, stack, database: asyncpg.Pool):
    claim_id = (await post_encounter(api, stack, encounter_for("SIMACK"))).json()["claim_id"]
    assert (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")).status_code == 200
    before = await database.fetch("SELECT * FROM intake.audit_log WHERE claim_id = $1", claim_id)
    assert len(before) == 1
    for statement in ("UPDATE intake.audit_log SET tenant_id = 'someone-else' WHERE claim_id = $1",
                      "DELETE FROM intake.audit_log WHERE claim_id = $1"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await database.execute(statement, claim_id)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await database.execute("TRUNCATE intake.audit_log")
    assert await database.fetch("SELECT * FROM intake.audit_log WHERE claim_id = $1", claim_id) == before


# admin command --------------------------------------------------------------------------------

def admin_command(stack: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.intake.admin", *args], capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": stack["DATABASE_URL"]}, timeout=60, check=False)


async def test_the_admin_command_creates_a_tenant_issues_lists_and_revokes_keys(anonymous, stack):
    tenant_id = f"e2e-cli-{uuid.uuid4().hex[:8]}"
    created = await asyncio.to_thread(admin_command, stack, "create-tenant", tenant_id, "--name", "CLI practice")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["name"] == "CLI practice"
    again = await asyncio.to_thread(admin_command, stack, "create-tenant", tenant_id)
    assert again.returncode == 1 and "already exists" in again.stderr
    issued = json.loads((await asyncio.to_thread(admin_command, stack, "issue-key", tenant_id)).stdout)
    headers = {"Authorization": f"Bearer {issued['api_key']}"}
    await answers_everywhere_but_401(anonymous, stack, headers)
    listed = json.loads((await asyncio.to_thread(admin_command, stack, "list-keys", "--tenant", tenant_id)).stdout)
    assert [k["key_id"] for k in listed["api_keys"]] == [issued["key_id"]]
    assert issued["api_key"] not in json.dumps(listed)
    revoked = await asyncio.to_thread(admin_command, stack, "revoke-key", issued["key_id"])
    assert revoked.returncode == 0, revoked.stderr
    await refused_everywhere(anonymous, stack, headers)
    unknown = await asyncio.to_thread(admin_command, stack, "revoke-key", "no-such-key")
    assert unknown.returncode == 1 and "no API key" in unknown.stderr
