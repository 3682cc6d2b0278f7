"""An 835 whose BPR16 is no date (as in X12's published managed-care example) posts through the running
stack, and the ERA says what could not be read and where, without inventing a payment date."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.remittance_eras import ClaimPayment, Era, Line, billed_claims, deliver, payer_claim_control_number

pytestmark = pytest.mark.e2e
D = Decimal


async def test_an_unreadable_bpr16_posts_and_the_era_lists_the_warning(api, stack, database, anonymous):
    [(claim_id, claim)] = await billed_claims(api, stack, 1)
    era = Era(claim, [ClaimPayment("1", payer_claim_control_number(), (
        Line(D("80"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20")))),
        Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6")))),
    ))])
    text = era.text()
    bpr = next(s for s in text.split("~\n") if s.startswith("BPR*"))
    assert await deliver(anonymous, stack, database, text.replace(bpr, bpr[:-8] + "20002316")) == "posted"

    listed = (await api.get(f"{stack['REMITTANCE_URL']}/v1/eras", params={"limit": 500})).json()["eras"]
    [posted] = [e for e in listed if e["trace_number"] == era.trace_number]
    assert (posted["status"], posted["matched_claims"], posted["total_paid"]) == ("posted", [claim_id], "104.00")
    assert posted["payment_date"] is None
    assert posted["warnings"] == [{"segment_index": 3, "segment_id": "BPR", "element": "BPR16",
                                   "reason": "is not a calendar date"}]
    ledger = (await api.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
    assert (ledger["status"], ledger["paid"]) == ("paid", "104.00")
