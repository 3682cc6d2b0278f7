"""One encounter per simulated payer, followed through every service to its end state."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import billed_claim, era_835, first, pyx12_errors
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e

END_STATES = {"SIMPAY": {"paid", "partially_paid"}, "SIMDNY": {"denied"}, "SIMREJ": {"rejected"},
              "SIMACK": {"accepted"}}
PAID = END_STATES["SIMPAY"]
LIFECYCLE = ["claim.received", "claim.coded", "claim.submitted", "claim.accepted", "claim.remittance_posted"]


@pytest.fixture(scope="module")
async def claims(api: httpx.AsyncClient, stack: dict[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """payer id -> (claim id, encounter), all posted up front so they travel the stack together."""
    posted = {}
    for payer in END_STATES:
        encounter = encounter_for(payer)
        response = await post_encounter(api, stack, encounter)
        assert response.status_code == 202, response.text
        posted[payer] = (response.json()["claim_id"], encounter)
    return posted


@pytest.fixture(scope="module")
async def paid_claim(api: httpx.AsyncClient, stack: dict[str, str], claims) -> str:
    claim_id = claims["SIMPAY"][0]
    await claim_reaching(api, stack, claim_id, PAID)
    return claim_id


async def ledger_of(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> dict[str, Any]:
    response = await api.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")
    assert response.status_code == 200, response.text
    return response.json()


async def submission_of(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> dict[str, Any]:
    response = await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")
    assert response.status_code == 200, response.text
    return response.json()["submissions"][-1]


async def events_of(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str) -> list[dict[str, Any]]:
    return (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]


async def era_file_outcome(database: asyncpg.Pool, delivery_id: str) -> str:
    """The outcome remittance recorded for a webhook delivery, once it has arrived."""
    return await eventually(
        lambda: database.fetchval("SELECT outcome FROM remittance.era_files WHERE delivery_id = $1", delivery_id),
        lambda outcome: outcome not in (None, "received"), f"remittance to record delivery {delivery_id}")


@pytest.mark.parametrize("payer", END_STATES)
async def test_each_payer_reaches_its_end_state(api, stack, claims, payer):
    claim_id, _ = claims[payer]
    claim = await claim_reaching(api, stack, claim_id, END_STATES[payer])
    assert claim["payer_id"] == payer


async def test_denied_claim_has_a_classified_denial_record(api, stack, claims):
    claim_id, _ = claims["SIMDNY"]
    await claim_reaching(api, stack, claim_id, {"denied"})

    async def denials() -> list[dict[str, Any]]:
        listed = (await api.get(f"{stack['DENIALS_URL']}/v1/denials", params={"limit": 500})).json()["denials"]
        return [d for d in listed if d["claim_id"] == claim_id]

    [denial] = await eventually(denials, lambda found: len(found) == 1, f"a denial record for {claim_id}")
    assert denial["category"] and denial["category"] != "unknown"
    assert denial["reason_codes"] and all(re.fullmatch(r"(CO|PI|OA|PR)-\w{1,5}", c) for c in denial["reason_codes"])
    assert denial["payer_id"] == "SIMDNY" and denial["status"] == "open"
    assert Decimal(denial["denied_amount"]) == Decimal("227.00")


async def test_rejected_claim_is_rejected_at_the_277ca(api, stack, claims):
    claim_id, _ = claims["SIMREJ"]
    await claim_reaching(api, stack, claim_id, {"rejected"})
    submission = await submission_of(api, stack, claim_id)
    assert submission["status"] == "rejected"
    assert submission["ack_999"] == "A" and submission["ack_277ca"]["category"] not in ("A1", "A2")


async def test_paid_claim_timeline_is_in_order_under_one_trace(api, stack, paid_claim):
    events = await eventually(lambda: events_of(api, stack, paid_claim),
                              lambda found: {e["type"] for e in found} >= set(LIFECYCLE), "the whole timeline")
    assert [e["type"] for e in events if e["type"] in LIFECYCLE] == LIFECYCLE
    assert [e["time"] for e in events] == sorted(e["time"] for e in events)
    statuses = [e["status"] for e in events if e["type"] in LIFECYCLE]
    assert statuses[:4] == ["received", "coded", "submitted", "accepted"] and statuses[4] in PAID
    trace_ids = {e["trace_id"] for e in events}
    assert len(trace_ids) == 1 and re.fullmatch(r"[0-9a-f]{32}", trace_ids.pop() or "")


async def test_paid_claim_ledger_balances_to_the_cent(api, stack, paid_claim):
    ledger = await ledger_of(api, stack, paid_claim)
    billed, paid = Decimal(ledger["billed"]), Decimal(ledger["paid"])
    adjustments = [Decimal(a["amount"]) for a in ledger["adjustments"]]
    assert billed == Decimal("227.00")
    assert billed == paid + sum(adjustments)
    assert ("CO", "45") in {(a["group_code"], a["reason_code"]) for a in ledger["adjustments"]}
    assert ledger["insurance_balance"] == "0.00"
    patient = ledger["patient_responsibility"]
    assert ledger["patient_balance"] == patient["total"] == ledger["balance"]
    parts = ("deductible", "coinsurance", "copay", "other_patient_responsibility")
    assert Decimal(patient["total"]) == sum(Decimal(patient[p]) for p in parts)
    assert Decimal(patient["total"]) == sum(Decimal(a["amount"]) for a in ledger["adjustments"]
                                            if a["group_code"] == "PR")
    payments = sum(Decimal(e["amount"]) for e in ledger["entries"] if e["kind"] == "payment")
    assert payments == paid and Decimal(ledger["paid"]).as_tuple().exponent == -2


async def test_era_is_listed_with_its_trace_number_and_matched_claim(api, stack, database, paid_claim):
    events = await events_of(api, stack, paid_claim)
    era_id = next(e["summary"]["era_id"] for e in events if e["type"] == "claim.remittance_posted")
    eras = (await api.get(f"{stack['REMITTANCE_URL']}/v1/eras", params={"limit": 500})).json()["eras"]
    [era] = [e for e in eras if e["era_id"] == era_id]
    assert paid_claim in era["matched_claims"] and era["status"] == "posted"
    delivered = await database.fetchval(
        "SELECT f.x12 FROM remittance.era_files f JOIN remittance.eras e USING (delivery_id) WHERE e.era_id = $1",
        uuid.UUID(era_id))
    trn = first(delivered, "TRN")
    assert era["trace_number"] == trn[2] and era["payer_identifier"] == trn[3]


async def test_submitted_837_passes_pyx12_and_bills_the_encounter_total(api, stack, claims, paid_claim):
    _, encounter = claims["SIMPAY"]
    submission = await submission_of(api, stack, paid_claim)
    assert pyx12_errors(submission["x12"]) == []
    clm = first(submission["x12"], "CLM")
    total = sum(Decimal(line["charge"]) for line in encounter["service_lines"])
    assert Decimal(clm[2]) == total
    assert clm[1] == paid_claim.replace("-", "")[:20].upper()


async def test_the_same_835_posted_twice_posts_once(api, stack, database, anonymous):
    # An acknowledge-only payer sends no 835 of its own, so this claim's ledger holds only what we send.
    encounter = encounter_for("SIMACK")
    claim_id = (await post_encounter(api, stack, encounter)).json()["claim_id"]
    await claim_reaching(api, stack, claim_id, {"accepted"})
    claim = billed_claim((await submission_of(api, stack, claim_id))["x12"])
    trace_number = f"E2E{uuid.uuid4().hex[:20].upper()}"
    era = era_835(claim, trace_number)
    assert pyx12_errors(era) == []

    first_delivery = await anonymous.post(f"{stack['CLEARINGHOUSE_URL']}/v1/eras", content=era.encode())
    assert first_delivery.status_code == 202, first_delivery.text
    assert await era_file_outcome(database, first_delivery.json()["webhook_id"]) == "posted"
    await claim_reaching(api, stack, claim_id, PAID)
    posted = await ledger_of(api, stack, claim_id)
    assert Decimal(posted["paid"]) == Decimal(first(era, "CLP")[4])
    assert Decimal(posted["billed"]) == Decimal(posted["paid"]) + sum(Decimal(a["amount"])
                                                                      for a in posted["adjustments"])
    assert posted["insurance_balance"] == "0.00"

    second_delivery = await anonymous.post(f"{stack['CLEARINGHOUSE_URL']}/v1/eras", content=era.encode())
    assert second_delivery.status_code == 202, second_delivery.text
    assert second_delivery.json()["webhook_id"] != first_delivery.json()["webhook_id"]
    assert await era_file_outcome(database, second_delivery.json()["webhook_id"]) == "duplicate"
    assert (await ledger_of(api, stack, claim_id))["entries"] == posted["entries"]
    eras = (await api.get(f"{stack['REMITTANCE_URL']}/v1/eras", params={"limit": 500})).json()["eras"]
    assert [e["matched_claims"] for e in eras if e["trace_number"] == trace_number] == [[claim_id]]
    posted_events = [e for e in await events_of(api, stack, claim_id) if e["type"] == "claim.remittance_posted"]
    assert len(posted_events) == 1


async def test_an_835_reusing_a_posted_trace_number_posts_nothing(api, stack, database, anonymous, paid_claim):
    events = await events_of(api, stack, paid_claim)
    era_id = next(e["summary"]["era_id"] for e in events if e["type"] == "claim.remittance_posted")
    eras = (await api.get(f"{stack['REMITTANCE_URL']}/v1/eras", params={"limit": 500})).json()["eras"]
    [original] = [e for e in eras if e["era_id"] == era_id]
    before = await ledger_of(api, stack, paid_claim)
    claim = billed_claim((await submission_of(api, stack, paid_claim))["x12"])
    era = era_835(claim, original["trace_number"], original["payer_identifier"])
    assert pyx12_errors(era) == []

    delivery = await anonymous.post(f"{stack['CLEARINGHOUSE_URL']}/v1/eras", content=era.encode())
    assert delivery.status_code == 202, delivery.text
    assert await era_file_outcome(database, delivery.json()["webhook_id"]) == "duplicate"
    assert (await ledger_of(api, stack, paid_claim))["entries"] == before["entries"]
