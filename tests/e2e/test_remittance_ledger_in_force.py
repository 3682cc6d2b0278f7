"""Only the adjudication in force counts, through the running stack: a secondary's own 835 (CLP02=2, OA-23)
replaces the primary's patient share without writing OA-23 off, its reversal gives the share back, and an 835
for version 1 arriving after version 2 (the secondary claim) was sent posts against version 1's lines."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from tests.e2e.polling import eventually
from tests.e2e.remittance_eras import ClaimPayment, Era, Line, billed_claims, deliver, payer_claim_control_number
from tests.e2e.x12_documents import billed_claim
from tests.support.encounters import example_encounter

pytestmark = pytest.mark.e2e
D = Decimal
# The secondary is another plan of the same (acknowledge-only) insurer: the simulator sends no 835 of its own,
# and CLP02=2 is what tells its adjudication from a replacement.
PRIMARY_PAYER = {"payer_id": "SIMACK", "name": "Acknowledging Plan"}


def primary_paying(ccn: str, status: str = "1", sign: int = 1) -> ClaimPayment:
    """Primary: 104 paid, 47 written off, 76 to the patient (of 185 + 42 billed)."""
    return ClaimPayment(status, ccn, (
        Line(D("80"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20")))),
        Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6"))))), sign=sign)


def secondary_paying(ccn: str, status: str = "2", sign: int = 1) -> ClaimPayment:
    """Secondary: 60 of the patient's 76 paid, OA-23 151 (the primary's part), 16 left to the patient."""
    return ClaimPayment(status, ccn, (
        Line(D("56"), (("OA", "23", D("115")), ("PR", "2", D("14")))),
        Line(D("4"), (("OA", "23", D("36")), ("PR", "2", D("2"))))), sign=sign)


@pytest.fixture(scope="module")
async def claim(api, stack):
    """An accepted claim whose encounter has a secondary coverage, for a patient of its own."""
    primary = example_encounter()["coverages"][0] | {"payer": PRIMARY_PAYER}
    secondary = primary | {"priority": "secondary", "member_id": "SEC998877", "group_number": None}
    account = f"PT-{uuid.uuid4().hex[:10].upper()}"
    person = example_encounter()["patient"] | {"account_number": account}
    ((claim_id, billed),) = await billed_claims(api, stack, 1, coverages=[primary, secondary], patient=person)
    return {"claim_id": claim_id, "v1": billed, "account": account}


async def claim_ledger(api, stack, claim_id: str) -> dict:
    ledger = (await api.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")).json()
    billed, paid, written_off = D(ledger["billed"]), D(ledger["paid"]), D(ledger["written_off"])
    patient, open_balance = D(ledger["patient_responsibility"]["total"]), D(ledger["insurance_balance"])
    assert billed == paid + written_off + patient + open_balance  # the ledger identity, to the cent
    return ledger


def figures(ledger: dict) -> tuple[str, str, str, str, str]:
    return (ledger["paid"], ledger["written_off"], ledger["patient_responsibility"]["total"],
            ledger["prior_payer_adjudication"], ledger["insurance_balance"])


async def patient_due(api, stack, account: str) -> str:
    found = await api.post(f"{stack['REMITTANCE_URL']}/v1/patients/lookup", json={"account_number": account})
    assert found.status_code == 200, found.text
    ledger = (await api.get(f"{stack['REMITTANCE_URL']}/v1/patients/{found.json()['patient_key']}/ledger")).json()
    return ledger["totals"]["amount_due"]


async def secondary_version(api, stack, database, claim_id: str):
    """Version 2, the secondary claim, once submission sent it and remittance knows its lines."""
    def second(rows: list[dict]) -> dict | None:
        return next((r for r in rows if r["claim_version"] == 2 and r.get("x12")), None)

    async def submissions() -> list[dict]:
        return (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()["submissions"]
    found = await eventually(submissions, lambda rows: second(rows) is not None, "the secondary claim to be sent", 90)
    await eventually(lambda: database.fetchval(
        "SELECT count(*) FROM remittance.billed_claim_versions WHERE claim_id = $1", uuid.UUID(claim_id)),
        lambda count: count == 2, "remittance to know version 2")
    return billed_claim(second(found)["x12"])


async def test_the_secondary_replaces_the_patient_share_and_its_reversal_gives_it_back(api, stack, database,
                                                                                        anonymous, claim):
    claim_id, v1 = claim["claim_id"], claim["v1"]
    primary_ccn, secondary_ccn = payer_claim_control_number(), payer_claim_control_number()
    assert await deliver(anonymous, stack, database, Era(v1, [primary_paying(primary_ccn)]).text()) == "posted"
    assert figures(await claim_ledger(api, stack, claim_id)) == ("104.00", "47.00", "76.00", "0.00", "0.00")
    v2 = await secondary_version(api, stack, database, claim_id)
    assert {line.line_control_number for line in v2.lines}.isdisjoint({line.line_control_number for line in v1.lines})

    assert await deliver(anonymous, stack, database, Era(v2, [secondary_paying(secondary_ccn)]).text()) == "posted"
    ledger = await claim_ledger(api, stack, claim_id)
    # OA-23 is the primary's part, shown but never written off; the secondary's PR-2 replaces the primary's 76.
    assert figures(ledger) == ("164.00", "47.00", "16.00", "151.00", "0.00")
    assert ("OA", "23") not in {(a["group_code"], a["reason_code"]) for a in ledger["adjustments"]}
    replaced = [e for e in ledger["entries"] if e["offset_reason"] == "patient_responsibility_replaced"]
    assert sum(D(e["amount"]) for e in replaced) == D("-76.00")
    assert {e["claim_version"] for e in replaced} == {1}
    assert await patient_due(api, stack, claim["account"]) == "16.00"

    reversal = Era(v2, [secondary_paying(secondary_ccn, status="22", sign=-1)])
    assert await deliver(anonymous, stack, database, reversal.text()) == "posted"
    assert figures(await claim_ledger(api, stack, claim_id)) == ("104.00", "47.00", "76.00", "0.00", "0.00")
    assert await patient_due(api, stack, claim["account"]) == "76.00"

    # The primary reverses and corrects version 1 after version 2 was sent: it posts against version 1's lines.
    correction = Era(v1, [primary_paying(primary_ccn, status="22", sign=-1),
                          ClaimPayment("1", payer_claim_control_number(), (
                              Line(D("90"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("10")))),
                              Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6"))))))])
    assert await deliver(anonymous, stack, database, correction.text()) == "posted"
    ledger = await claim_ledger(api, stack, claim_id)
    assert figures(ledger) == ("114.00", "47.00", "66.00", "0.00", "0.00")
    era_id = ledger["entries"][-1]["era_id"]
    latest = [e for e in ledger["entries"] if e["era_id"] == era_id]
    assert {e["line_control_number"] for e in latest} == {line.line_control_number for line in v1.lines}
    assert {e["claim_version"] for e in latest} == {1}
    answered = await database.fetch("SELECT status_code, claim_version FROM remittance.era_claims WHERE era_id = $1 "
                                    "ORDER BY claim_index", uuid.UUID(era_id))
    assert [(r["status_code"], r["claim_version"]) for r in answered] == [("22", 1), ("1", 1)]
