"""An appeal won by a later 835 whose payment the payer then reverses (CLP02=22) is reopened, not left won.

The claim goes to an acknowledge-only payer, so every 835 about it is one this test writes: the denial, the
overturning payment (reprocessed under a new payer claim number, as payers do) and its reversal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.conftest import claim_reaching
from tests.e2e.denials_api import denial_of, new_claim
from tests.e2e.denials_api import tenant_api as tenant_api  # a fixture
from tests.e2e.polling import eventually
from tests.e2e.remittance_eras import ClaimPayment, Era, Line, deliver, payer_claim_control_number
from tests.e2e.x12_documents import billed_claim, pyx12_errors
from tests.support.coding_review import timeline_types

pytestmark = pytest.mark.e2e
D = Decimal


async def test_a_reversed_overturn_reopens_the_appeal_and_its_denial(
        tenant_api: httpx.AsyncClient, anonymous: httpx.AsyncClient, stack: dict[str, str],
        database: asyncpg.Pool) -> None:
    api = tenant_api
    claim_id = await new_claim(api, stack, "SIMACK")
    await claim_reaching(api, stack, claim_id, {"accepted"})
    submissions = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()
    claim = billed_claim(submissions["submissions"][-1]["x12"])
    denied = Era(claim, [ClaimPayment("4", payer_claim_control_number(), (
        Line(D(0), (("CO", "50", D("185")),)), Line(D(0), (("CO", "50", D("42")),))))])
    assert await deliver(anonymous, stack, database, denied.text()) == "posted"
    denial = await denial_of(api, stack, claim_id)
    appeal = (await api.post(f"{stack['DENIALS_URL']}/v1/denials/{denial['denial_id']}/appeals",
                             json={"level": "first", "created_by": "casey"})).json()
    sent = await api.post(f"{stack['DENIALS_URL']}/v1/appeals/{appeal['appeal_id']}/send", json={"sent_by": "casey"})
    assert sent.status_code == 200, sent.text

    async def appeal_now() -> dict[str, Any]:
        return (await api.get(f"{stack['DENIALS_URL']}/v1/appeals/{appeal['appeal_id']}")).json()

    reprocessed = payer_claim_control_number()
    overturn = ClaimPayment("1", reprocessed, (Line(D("185"), ()), Line(D("42"), ())))
    assert await deliver(anonymous, stack, database, Era(claim, [overturn]).text()) == "posted"
    won = await eventually(appeal_now, lambda a: a["status"] == "won", "the appeal to be won")
    assert won["overturned_amount"] == "227.00"
    assert (await denial_of(api, stack, claim_id))["status"] == "resolved"

    reversal = Era(claim, [ClaimPayment("22", reprocessed, overturn.lines, sign=-1)])
    assert pyx12_errors(reversal.text()) == []
    assert await deliver(anonymous, stack, database, reversal.text()) == "posted"

    reopened = await eventually(appeal_now, lambda a: a["status"] != "won", "the appeal to be reopened")
    assert reopened["status"] == "sent" and reopened["overturned_amount"] == "0.00"
    assert reopened["decided_at"] is None
    again = await denial_of(api, stack, claim_id)
    assert again["status"] == "appealed" and again["resolution"] is None and again["recovered_amount"] == "0.00"
    events = await timeline_types(api, stack, claim_id, {"claim.appeal_reopened"})
    types = [e["type"] for e in events]
    assert types.index("claim.appeal_decided") < types.index("claim.appeal_reopened")
    reopened_entry = next(e for e in events if e["type"] == "claim.appeal_reopened")
    assert reopened_entry["summary"]["status"] == "sent", reopened_entry
    claim = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")).json()
    assert claim["status"] == "appealed", claim  # no longer shown paid: the overturn was taken back
    analytics = (await api.get(f"{stack['DENIALS_URL']}/v1/denials/analytics", params={"by": "payer"})).json()
    assert D(analytics["summary"]["dollars_recovered"]) == D(0)
