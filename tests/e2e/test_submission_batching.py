"""Claims ready together for one payer travel in one 837 interchange; another payer's go in another;
a full batch closes at the size limit. Runs against a submission instance with a longer batch age."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import asyncpg
import httpx
import pytest

from services.submission.domain.submission_plan import patient_control_number_for
from tests.e2e.admin_api import admin_client, tenant_with_key
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import pyx12_errors, segments
from tests.support.encounters import encounter_for
from tests.support.submission_process import submission_with

pytestmark = pytest.mark.e2e
BATCHING = {"SUBMISSION_BATCH_MAX_AGE_SECONDS": "6", "SUBMISSION_BATCH_MAX_CLAIMS": "3"}


async def _interchanges_by_pcn(anonymous: httpx.AsyncClient, stack: dict[str, str],
                               pcns: set[str]) -> dict[str, list[str]]:
    """Interchange control number -> the given claims it carried, as the simulator received them."""
    interchanges = (await anonymous.get(f"{stack['CLEARINGHOUSE_URL']}/v1/interchanges")).json()["interchanges"]
    carried: dict[str, list[str]] = defaultdict(list)
    for interchange in interchanges:
        for claim in interchange["claims"]:
            if claim["patient_control_number"] in pcns:
                carried[interchange["interchange_control_number"]].append(claim["patient_control_number"])
    return carried


async def test_claims_are_batched_per_payer_up_to_the_size_limit(
        anonymous: httpx.AsyncClient, stack: dict[str, str], database: asyncpg.Pool) -> None:
    # A tenant of its own: batches are per tenant, so no other test's claim can share one of these batches.
    async with admin_client(stack) as admin:
        key = await tenant_with_key(admin)
    async with submission_with(BATCHING), httpx.AsyncClient(
            headers={"Authorization": f"Bearer {key.key}"}, timeout=15) as api:
        claims: dict[str, str] = {}
        for payer in ["SIMACK"] * 4 + ["SIMPAY"] * 2:
            response = await post_encounter(api, stack, encounter_for(payer))
            assert response.status_code == 202, response.text
            claims[response.json()["claim_id"]] = payer
        for claim_id in claims:
            await claim_reaching(api, stack, claim_id, {"accepted", "paid", "partially_paid"}, timeout=90)

        pcns = {patient_control_number_for(claim_id): payer for claim_id, payer in claims.items()}
        carried = await eventually(lambda: _interchanges_by_pcn(anonymous, stack, set(pcns)),
                                   lambda c: sum(map(len, c.values())) == len(pcns), "every claim received")
        sizes_by_payer: dict[str, list[int]] = defaultdict(list)
        for batch in carried.values():
            assert len({pcns[pcn] for pcn in batch}) == 1, "one payer per interchange"
            sizes_by_payer[pcns[batch[0]]].append(len(batch))
        # four SIMACK claims: a full batch of three, then one more; two SIMPAY claims: one interchange
        assert sorted(sizes_by_payer["SIMACK"]) == [1, 3]
        assert sizes_by_payer["SIMPAY"] == [2]

        rows = await database.fetch(
            "SELECT DISTINCT b.batch_id, b.state, b.claim_count, b.interchange_control_number, b.x12"
            " FROM submission.submission_batches b JOIN submission.submissions s USING (batch_id)"
            " WHERE s.claim_id = ANY($1::uuid[])", list(claims))
        assert sorted(r["claim_count"] for r in rows) == [1, 2, 3]
        assert {r["state"] for r in rows} == {"sent"}
        assert {str(r["interchange_control_number"]).zfill(9) for r in rows} == set(carried)
        for row in rows:
            assert pyx12_errors(row["x12"]) == []
            assert sum(1 for s in segments(row["x12"]) if s[0] == "CLM") == row["claim_count"]
        submissions: list[dict[str, Any]] = []
        for claim_id in claims:
            submissions += (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")
                            ).json()["submissions"]
        # every claim of a batch reports the interchange that carried it, and its 999 came back for each
        assert {s["interchange_control_number"] for s in submissions} == set(carried)
        assert {s["ack_999"] for s in submissions} == {"A"}
