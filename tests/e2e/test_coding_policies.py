"""Tenants' coding policies through the running stack: set on intake's admin API, read by coding from the
tenants topic, applied to the tenant's claims. By default undercoding is a warning and a claim no ICD-10-CM
release covers goes on; a tenant may hold both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.e2e.admin_api import TenantKey, admin_client, assert_problem, tenant_with_key
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.support.coding_review import coding_of, coding_reaching
from tests.support.encounters import encounter_for, example_encounter

pytestmark = pytest.mark.e2e

HOLD_BOTH = {"hold_undercoding": True, "when_no_release_covers": "hold_all"}
DEFAULTS = {"hold_undercoding": False, "when_no_release_covers": "hold_unknown_codes"}
SUBMITTED_OR_LATER = {"submitted", "accepted", "paid", "partially_paid"}
BEFORE_ANY_RELEASE = "2025-09-15"


def undercoded_visit(**changes: Any) -> dict[str, Any]:
    """The example visit (its note supports 99214) billed as a 99213."""
    lines = example_encounter()["service_lines"]
    lines[0]["procedure_code"] = "99213"
    return encounter_for("SIMPAY", service_lines=lines, **changes)


@pytest.fixture(scope="module")
async def strict_tenant(stack: dict[str, str]) -> AsyncIterator[tuple[TenantKey, httpx.AsyncClient]]:
    """A new tenant whose policy holds undercoding and every claim no release covers, once coding has read it."""
    async with admin_client(stack) as admin:
        key = await tenant_with_key(admin)
        unset = await admin.get(f"/v1/admin/tenants/{key.tenant_id}/coding-policy")
        assert unset.status_code == 200 and unset.json() == {"tenant_id": key.tenant_id, **DEFAULTS, "updated_at": None}
        answer = await admin.put(f"/v1/admin/tenants/{key.tenant_id}/coding-policy", json=HOLD_BOTH)
        assert answer.status_code == 200, answer.text
        assert {k: answer.json()[k] for k in HOLD_BOTH} == HOLD_BOTH and answer.json()["updated_at"]
    async with httpx.AsyncClient(headers=key.headers(), timeout=15) as client:
        await eventually(lambda: client.get(f"{stack['CODING_URL']}/v1/coding/policy"),
                         lambda r: r.status_code == 200 and {k: r.json()[k] for k in HOLD_BOTH} == HOLD_BOTH,
                         "coding to read the tenant's policy from the tenants topic")
        yield key, client


async def posted(client: httpx.AsyncClient, stack: dict[str, str], encounter: dict[str, Any]) -> str:
    response = await post_encounter(client, stack, encounter)
    assert response.status_code == 202, response.text
    return response.json()["claim_id"]


async def test_by_default_undercoding_is_a_finding_and_the_claim_is_submitted(api, stack) -> None:
    claim_id = await posted(api, stack, undercoded_visit())
    await claim_reaching(api, stack, claim_id, SUBMITTED_OR_LATER)
    coding = await coding_of(api, stack, claim_id)
    assert coding["status"] == "coded" and coding["review"] is None
    line = coding["procedures"][0]
    assert (line["status"], line["em"]["supported_code"], line["edits"]) == ("undercoded", "99214",
                                                                            ["COD-EM-UNDERCODED"])
    [finding] = [edit for edit in coding["edits"] if edit["edit_id"] == "COD-EM-UNDERCODED"]
    assert finding["severity"] == "warning" and finding["message"].startswith(
        "line 1: 99213 billed, the note supports 99214")


async def test_a_tenant_that_holds_undercoding_gets_it_held_for_a_coder(strict_tenant, stack) -> None:
    _key, client = strict_tenant
    claim_id = await posted(client, stack, undercoded_visit())
    coding = await coding_reaching(client, stack, claim_id, "coding_review")
    [reason] = [r for r in coding["reasons"] if r.startswith("COD-EM-UNDERCODED")]
    assert reason.startswith("COD-EM-UNDERCODED: line 1: 99213 billed, the note supports 99214")
    assert reason.endswith("(held by the tenant's coding policy)")


async def test_a_tenant_that_holds_all_gets_a_claim_no_release_covers_held(strict_tenant, stack) -> None:
    _key, client = strict_tenant
    claim_id = await posted(client, stack, encounter_for("SIMPAY", date_of_service=BEFORE_ANY_RELEASE,
                                                         clinical_note=None))
    coding = await coding_reaching(client, stack, claim_id, "coding_review")
    assert coding["code_sets"]["icd10cm_assumed"] is True
    assert any(r.startswith("COD-ICD-RELEASE-ASSUMED") and r.endswith("(held by the tenant's coding policy)")
               for r in coding["reasons"])


async def test_a_strict_tenant_s_clean_claim_of_today_still_flows(strict_tenant, stack) -> None:
    _key, client = strict_tenant
    claim_id = await posted(client, stack, encounter_for("SIMPAY"))
    await claim_reaching(client, stack, claim_id, SUBMITTED_OR_LATER)


async def test_the_admin_api_refuses_unknown_tenants_and_values(stack) -> None:
    async with admin_client(stack) as admin:
        assert_problem(await admin.put("/v1/admin/tenants/no-such-tenant/coding-policy", json=DEFAULTS), 404)
        assert_problem(await admin.get("/v1/admin/tenants/no-such-tenant/coding-policy"), 404)
        key = await tenant_with_key(admin)
        bad = assert_problem(await admin.put(f"/v1/admin/tenants/{key.tenant_id}/coding-policy",
                                             json={"when_no_release_covers": "hold_some"}), 422)
        assert [e["pointer"] for e in bad["errors"]] == ["/when_no_release_covers"]
        assert "hold_some" not in json.dumps(bad)


async def test_the_admin_command_sets_and_shows_the_policy(stack) -> None:
    async with admin_client(stack) as admin:
        key = await tenant_with_key(admin)

    def command(*args: str) -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-m", "services.intake.admin", *args], capture_output=True, text=True,
                              env={**os.environ, "DATABASE_URL": stack["DATABASE_URL"]}, timeout=60, check=True)
        return json.loads(done.stdout)

    set_ = command("set-coding-policy", key.tenant_id, "--when-no-release-covers", "hold_all")
    assert {k: set_[k] for k in DEFAULTS} == {**DEFAULTS, "when_no_release_covers": "hold_all"}
    shown = command("show-coding-policy", key.tenant_id)
    assert shown == set_
    async with httpx.AsyncClient(headers=key.headers(), timeout=15) as client:
        await eventually(lambda: client.get(f"{stack['CODING_URL']}/v1/coding/policy"),
                         lambda r: r.status_code == 200 and r.json()["when_no_release_covers"] == "hold_all",
                         "coding to read the policy the command set")
