"""A primary payment on an encounter with a secondary coverage emits claim.secondary_billing_ready, in the
posting's own transaction, with the primary's adjudication; a crossover (CLP02=19) does not."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from tests.e2e.remittance_eras import ClaimPayment, Era, Line, billed_claims, deliver, payer_claim_control_number
from tests.support.encounters import example_encounter

pytestmark = pytest.mark.e2e
D = Decimal


def coverages() -> list[dict]:
    primary = example_encounter()["coverages"][0] | {"payer": {"payer_id": "SIMACK", "name": "Acknowledging Plan"}}
    secondary = primary | {"priority": "secondary", "member_id": "SEC998877", "group_number": None,
                           "payer": {"payer_id": "SIMSEC", "name": "Secondary Mutual"}}
    return [primary, secondary]


@pytest.fixture(scope="module")
async def claims(api, stack):
    """Two accepted claims whose encounters have a secondary coverage."""
    return await billed_claims(api, stack, 2, coverages=coverages())


def paying(ccn: str, status: str = "1", crossover: bool = False) -> ClaimPayment:
    return ClaimPayment(status, ccn, (
        Line(D("80"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20")))),
        Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6")))),
    ), crossover_carrier=crossover)


async def stored_events(database, claim_id: str) -> list[tuple[str, int, dict]]:
    rows = await database.fetch("SELECT event_type, version, data FROM remittance.claim_events WHERE claim_id = $1 "
                                "ORDER BY version", uuid.UUID(claim_id))
    return [(r["event_type"], r["version"], json.loads(r["data"]) if isinstance(r["data"], str) else r["data"])
            for r in rows]


async def test_a_primary_payment_makes_the_claim_ready_for_the_secondary(api, stack, database, anonymous, claims):
    claim_id, claim = claims[0]
    ccn = payer_claim_control_number()
    assert await deliver(anonymous, stack, database, Era(claim, [paying(ccn)]).text()) == "posted"
    events = await stored_events(database, claim_id)
    assert [e[0] for e in events] == ["claim.remittance_posted", "claim.secondary_billing_ready"]
    ready = events[1][2]
    assert ready["era_id"] == events[0][2]["era_id"]
    assert (ready["prior_payer_id"], ready["prior_payer_name"], ready["prior_payer_claim_control_number"]) == \
        ("SIMACK", "E2E TEST HEALTH PLAN", ccn)
    assert ready["next_payer_priority"] == "secondary"
    assert D(ready["paid_total"]) == D("104") and ready["adjudication_date"] == dt.date.today().isoformat()
    assert ready["claim_adjustments"] == []
    first, second = ready["lines"]
    assert (first["line_control_number"], D(first["paid"]), D(first["paid_units"])) == \
        (claim.lines[0].line_control_number, D("80"), D(1))
    assert [(a["group_code"], a["reason_code"], D(a["amount"])) for a in first["adjustments"]] == \
        [("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20"))]
    assert second["line_control_number"] == claim.lines[1].line_control_number
    assert [(a["group_code"], a["reason_code"], D(a["amount"])) for a in second["adjustments"]] == \
        [("CO", "45", D("12")), ("PR", "2", D("6"))]
    published = await database.fetch(
        "SELECT event_type FROM remittance.claim_events WHERE claim_id = $1 ORDER BY version", claim_id)
    assert [row["event_type"] for row in published] == ["claim.remittance_posted", "claim.secondary_billing_ready"]


async def test_a_crossover_is_not_billed_to_the_secondary_again(api, stack, database, anonymous, claims):
    claim_id, claim = claims[1]
    era = Era(claim, [paying(payer_claim_control_number(), status="19", crossover=True)])
    assert await deliver(anonymous, stack, database, era.text()) == "posted"
    assert [e[0] for e in await stored_events(database, claim_id)] == ["claim.remittance_posted"]
    ledger = (await api.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
    assert ledger["forwarded"] is True
