"""The runbook's projection rebuild: with intake stopped, `python -m tools.rebuild_projection
intake.timeline` clears the projection and rewinds its consumer; on restart every claim's timeline
and status come back from the event log exactly as they were."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx

from services.intake.adapters.tenant_admin import ensure_tenant_key
from shared.tenancy import new_api_key
from tests.integration.test_trace_continuity import timeline_with, wait_for_status
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment
from tests.support.inprocess import in_process_stack
from tests.support.payees import register_new_payee, remittance_routes

ROOT = Path(__file__).resolve().parents[2]


async def rebuild_command(isolated: IsolatedEnvironment) -> tuple[int, str]:
    env = {**os.environ, "DATABASE_URL": isolated.database_url, "KAFKA_BOOTSTRAP": isolated.kafka_bootstrap,
           "KAFKA_NAMESPACE": isolated.namespace}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tools.rebuild_projection", "intake.timeline", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, output.decode()


async def test_intake_timeline_is_rebuilt_from_the_log(isolated: IsolatedEnvironment) -> None:
    key_id, key = new_api_key()
    await ensure_tenant_key(isolated.database_url, "rebuild-practice", key_id, key)
    npi, provider = await register_new_payee(isolated.database_url, "rebuild-practice")  # its 835s come back
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=10) as client:
        async with in_process_stack(isolated) as stack:
            await remittance_routes(isolated.database_url, npi, "rebuild-practice")
            claim_ids = []
            for payer in ("SIMPAY", "SIMDNY"):
                response = await client.post(stack.urls["intake"] + "/v1/encounters",
                                             json=encounter_for(payer, billing_provider=provider))
                claim_ids.append(response.json()["claim_id"])
            assert await wait_for_status(client, f"{stack.urls['intake']}/v1/claims/{claim_ids[0]}", "paid") == "paid"
            assert await wait_for_status(client, f"{stack.urls['intake']}/v1/claims/{claim_ids[1]}",
                                         "denied") == "denied"
            # The claim reads denied once its 835 posts; denials records the denial after that. The snapshot
            # must hold it, or the rebuilt timeline (which replays it) differs from a snapshot taken too early.
            denied = await timeline_with(client, f"{stack.urls['intake']}/v1/claims/{claim_ids[1]}/events",
                                         "claim.denial_recorded")
            assert "claim.denial_recorded" in {event["type"] for event in denied}
            before = {claim_id: await snapshot(client, stack.urls["intake"], claim_id) for claim_id in claim_ids}
            code, output = await rebuild_command(isolated)
            assert code == 2 and "stop the service first" in output, output

        code, output = await rebuild_command(isolated)
        assert code == 0 and "claim_timeline=" in output and "partitions_rewound=" in output, output

        async with in_process_stack(isolated) as stack:
            for claim_id, expected in before.items():
                deadline = asyncio.get_running_loop().time() + 90
                while (now := await snapshot(client, stack.urls["intake"], claim_id)) != expected:
                    assert asyncio.get_running_loop().time() < deadline, f"rebuilt {now} != {expected}"
                    await asyncio.sleep(0.3)


async def snapshot(client: httpx.AsyncClient, intake_url: str, claim_id: str) -> tuple:
    claim = (await client.get(f"{intake_url}/v1/claims/{claim_id}")).json()
    events = (await client.get(f"{intake_url}/v1/claims/{claim_id}/events")).json()["events"]
    return claim["status"], str(claim.get("balances")), sorted((e["event_id"], e["type"]) for e in events)
