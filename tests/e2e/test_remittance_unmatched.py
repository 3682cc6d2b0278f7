"""The unmatched-ERA queue: a claim payment whose CLP01 the payer mangled waits with its candidates, and a
person's match posts it once."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.e2e.remittance_eras import ClaimPayment, Era, Line, billed_claims, deliver, payer_claim_control_number

pytestmark = pytest.mark.e2e
D = Decimal


async def test_a_mangled_claim_waits_with_candidates_and_a_match_posts_it(api, stack, database, anonymous):
    [(claim_id, claim)] = await billed_claims(api, stack, 1)
    truncated = replace(claim, patient_control_number=claim.patient_control_number[:14])  # the payer cut CLP01
    payment = ClaimPayment("1", payer_claim_control_number(), (
        Line(D("80"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20")))),
        Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6"))))))
    era = Era(truncated, [payment])
    assert await deliver(anonymous, stack, database, era.text()) == "unmatched"
    url = f"{stack['REMITTANCE_URL']}/v1/eras"

    queue = (await api.get(f"{url}/unmatched", params={"limit": 500})).json()["unmatched"]
    [waiting] = [w for w in queue if w["trace_number"] == era.trace_number]
    assert waiting["patient_control_number"] == truncated.patient_control_number
    assert (waiting["billed"], waiting["paid"]) == ("227.00", "104.00")
    best = waiting["candidates"][0]
    assert best["claim_id"] == claim_id
    assert set(best["reasons"]) == {"same total charge", "same date of service", "same procedure codes",
                                    "patient control number prefix"}

    match = f"{url}/{waiting['era_id']}/claims/{waiting['claim_index']}/match"
    response = await api.post(match, json={"claim_id": claim_id})
    assert response.status_code == 200, response.text
    ledger = (await api.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
    assert (ledger["status"], ledger["paid"], ledger["patient_balance"], ledger["insurance_balance"]) == \
        ("paid", "104.00", "76.00", "0.00")
    again = await api.post(match, json={"claim_id": claim_id})
    assert again.status_code == 404 and again.headers["content-type"].startswith("application/problem+json")
    queue = (await api.get(f"{url}/unmatched", params={"limit": 500})).json()["unmatched"]
    assert [w for w in queue if w["trace_number"] == era.trace_number] == []
    listed = (await api.get(url, params={"limit": 500})).json()["eras"]
    [row] = [e for e in listed if e["trace_number"] == era.trace_number]
    assert row["status"] == "posted" and row["matched_claims"] == [claim_id]
