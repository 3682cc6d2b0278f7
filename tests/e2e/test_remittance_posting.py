"""835 posting's hard cases through the running stack: every file goes through the clearinghouse's signed
ERA webhook, and after every scenario the claim's ledger balances to the cent:

    billed = paid + written_off + patient_responsibility + insurance_balance
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from shared.webhooks import new_message_id
from tests.e2e.conftest import webhook_body
from tests.e2e.remittance_eras import (
    BILLING_NPI,
    ClaimPayment,
    Era,
    Line,
    ProviderAdjustment,
    billed_claims,
    deliver,
    delivered_file,
    payer_claim_control_number,
)
from tests.e2e.x12_documents import pyx12_errors

pytestmark = pytest.mark.e2e
D = Decimal
SCENARIOS = ("patient_split", "denial", "reversal", "plb", "dropped_modifier", "unbalanced", "bad_files",
             "crossover")


@pytest.fixture(scope="module")
async def claims(api, stack):
    """One accepted, acknowledge-only claim per scenario (99214-25 at 185.00 and 83036 at 42.00)."""
    billed = await billed_claims(api, stack, len(SCENARIOS))
    return dict(zip(SCENARIOS, billed, strict=True))


async def ledger_of(api, stack, claim_id: str) -> dict[str, Any]:
    response = await api.get(f"{stack['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")
    assert response.status_code == 200, response.text
    ledger = response.json()
    assert_balances(ledger)
    return ledger


def assert_balances(ledger: dict[str, Any]) -> None:
    """The ledger equation, to the cent, by totals and by entries."""
    billed, paid, written_off = D(ledger["billed"]), D(ledger["paid"]), D(ledger["written_off"])
    patient, open_balance = D(ledger["patient_responsibility"]["total"]), D(ledger["insurance_balance"])
    assert billed == paid + written_off + patient + open_balance
    assert billed == paid + sum(D(a["amount"]) for a in ledger["adjustments"]) + open_balance
    assert paid == sum(D(e["amount"]) for e in ledger["entries"] if e["kind"] == "payment")
    assert all(D(v).as_tuple().exponent == -2 for v in (ledger["billed"], ledger["paid"], ledger["balance"]))


def paying(ccn: str) -> ClaimPayment:
    """Primary pays: 99214 allowed 150 (deductible 50, copay 20), 83036 allowed 30 (coinsurance 6)."""
    return ClaimPayment("1", ccn, (
        Line(D("80"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20")))),
        Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6")))),
    ))


async def test_partial_payment_splits_deductible_coinsurance_and_copay_and_posts_once(
        api, stack, database, anonymous, claims):
    claim_id, claim = claims["patient_split"]
    era = Era(claim, [paying(payer_claim_control_number())])
    assert pyx12_errors(era.text()) == []
    assert await deliver(anonymous, stack, database, era.text()) == "posted"
    ledger = await ledger_of(api, stack, claim_id)
    assert (ledger["status"], ledger["billed"], ledger["paid"], ledger["written_off"]) == \
        ("paid", "227.00", "104.00", "47.00")
    assert ledger["patient_responsibility"] == {"total": "76.00", "deductible": "50.00", "coinsurance": "6.00",
                                                "copay": "20.00", "other_patient_responsibility": "0.00"}
    assert ledger["insurance_balance"] == "0.00" and ledger["forwarded"] is False
    assert {e["line_control_number"] for e in ledger["entries"]} == {line.line_control_number for line in claim.lines}

    assert await deliver(anonymous, stack, database, era.text()) == "duplicate"  # same TRN and payer
    assert (await ledger_of(api, stack, claim_id))["entries"] == ledger["entries"]


async def test_full_denial(api, stack, database, anonymous, claims):
    claim_id, claim = claims["denial"]
    denial = ClaimPayment("4", payer_claim_control_number(), (
        Line(D(0), (("CO", "50", D("185")),)), Line(D(0), (("CO", "50", D("42")),))))
    era = Era(claim, [denial])
    assert pyx12_errors(era.text()) == []
    assert await deliver(anonymous, stack, database, era.text()) == "posted"
    ledger = await ledger_of(api, stack, claim_id)
    assert (ledger["status"], ledger["paid"], ledger["written_off"], ledger["balance"]) == \
        ("denied", "0.00", "227.00", "0.00")
    assert ledger["adjustments"] == [{"group_code": "CO", "reason_code": "50", "amount": "227.00"}]


async def test_reversal_undoes_the_payment_exactly_and_the_correction_reposts(api, stack, database, anonymous, claims):
    claim_id, claim = claims["reversal"]
    original_ccn = payer_claim_control_number()
    assert await deliver(anonymous, stack, database, Era(claim, [paying(original_ccn)]).text()) == "posted"
    paid = await ledger_of(api, stack, claim_id)

    reversal = Era(claim, [ClaimPayment("22", original_ccn, paying(original_ccn).lines, sign=-1)])
    assert pyx12_errors(reversal.text()) == []
    assert await deliver(anonymous, stack, database, reversal.text()) == "posted"
    reversed_ledger = await ledger_of(api, stack, claim_id)
    assert reversed_ledger["status"] == "reversed"
    assert (reversed_ledger["paid"], reversed_ledger["written_off"], reversed_ledger["patient_balance"]) == \
        ("0.00", "0.00", "0.00")
    assert reversed_ledger["insurance_balance"] == "227.00" and reversed_ledger["adjustments"] == []
    count = len(paid["entries"])
    posted, undone = reversed_ledger["entries"][:count], reversed_ledger["entries"][count:]
    assert [(e["kind"], e["line_control_number"], e["group_code"], e["reason_code"], D(e["amount"])) for e in posted] \
        == [(e["kind"], e["line_control_number"], e["group_code"], e["reason_code"], -D(e["amount"])) for e in undone]

    correction = Era(claim, [ClaimPayment("1", payer_claim_control_number(), (
        Line(D("120"), (("CO", "45", D("35")), ("PR", "3", D("30")))),
        Line(D("30"), (("CO", "45", D("12")),)),
    ))])
    assert pyx12_errors(correction.text()) == []
    assert await deliver(anonymous, stack, database, correction.text()) == "posted"
    corrected = await ledger_of(api, stack, claim_id)
    assert (corrected["status"], corrected["paid"], corrected["written_off"], corrected["insurance_balance"]) == \
        ("paid", "150.00", "47.00", "0.00")
    assert corrected["patient_responsibility"]["copay"] == "30.00"
    assert corrected["patient_responsibility"]["deductible"] == "0.00"


async def test_a_reversal_of_nothing_posted_is_held_not_posted(api, stack, database, anonymous, claims):
    claim_id, claim = claims["reversal"]
    before = await ledger_of(api, stack, claim_id)
    stray = Era(claim, [ClaimPayment("22", payer_claim_control_number(), paying("X").lines, sign=-1)])
    assert await deliver(anonymous, stack, database, stray.text()) == "unmatched"
    era = await delivered_file(database, stray.trace_number)
    held = await database.fetchrow("SELECT * FROM remittance.era_claims WHERE era_id = $1", era["era_id"])
    assert not held["posted"] and "no posted payment of this payer claim control number" in held["hold_reason"]
    assert "(CLP)" in held["hold_reason"]
    assert (await ledger_of(api, stack, claim_id))["entries"] == before["entries"]


async def test_provider_adjustments_go_to_the_payer_account_linked_to_their_claims(
        api, stack, database, anonymous, claims):
    claim_id, claim = claims["plb"]
    recouped_id, _ = claims["patient_split"]
    recouped_ccn = await database.fetchval(
        "SELECT payer_claim_control_number FROM remittance.era_claims WHERE claim_id = $1 AND posted "
        "ORDER BY era_id LIMIT 1", uuid.UUID(recouped_id))
    assert recouped_ccn, "the patient_split scenario posts first"
    ccn = payer_claim_control_number()
    era = Era(claim, [paying(ccn)], [ProviderAdjustment("WO", recouped_ccn, D("20")),
                                     ProviderAdjustment("L6", ccn, D("-4.25"))])
    text = era.text()
    assert pyx12_errors(text) == []
    assert "BPR*I*88.25*" in text  # 104 paid - 20 recouped + 4.25 interest
    assert await deliver(anonymous, stack, database, text) == "posted"
    ledger = await ledger_of(api, stack, claim_id)
    assert ledger["paid"] == "104.00"  # PLB money is on the payer account, not the claim
    [interest] = ledger["provider_adjustments"]
    assert (interest["reason_code"], interest["amount"], interest["reference_id"]) == ("L6", "-4.25", ccn)
    [recoupment] = (await ledger_of(api, stack, recouped_id))["provider_adjustments"]
    assert (recoupment["reason_code"], recoupment["amount"], recoupment["claim_id"]) == ("WO", "20.00", recouped_id)

    account = (await api.get(f"{stack['REMITTANCE_URL']}/v1/payers/1990000009/account")).json()
    mine = [e for e in account["entries"] if e["era_id"] == interest["era_id"]]
    assert sorted((e["reason_code"], e["amount"]) for e in mine) == [("L6", "-4.25"), ("WO", "20.00")]
    assert all(e["provider_id"] == BILLING_NPI for e in mine)
    row = await delivered_file(database, era.trace_number)
    assert row["total_paid"] == D("104") - sum(D(e["amount"]) for e in mine)


async def test_a_payer_dropped_modifier_still_matches_the_billed_line(api, stack, database, anonymous, claims):
    claim_id, claim = claims["dropped_modifier"]
    assert claim.lines[0].procedure == "HC:99214:25"
    payment = paying(payer_claim_control_number())
    lines = (Line(payment.lines[0].paid, payment.lines[0].adjustments, procedure="HC:99214", echo_control_number=False),
             Line(payment.lines[1].paid, payment.lines[1].adjustments, echo_control_number=False))
    era = Era(claim, [ClaimPayment("1", payment.payer_claim_control_number, lines)])
    assert pyx12_errors(era.text()) == []
    assert await deliver(anonymous, stack, database, era.text()) == "posted"
    ledger = await ledger_of(api, stack, claim_id)
    assert ledger["status"] == "paid" and ledger["insurance_balance"] == "0.00"
    first_line = claim.lines[0].line_control_number
    assert {(e["kind"], e["amount"]) for e in ledger["entries"] if e["line_control_number"] == first_line} == \
        {("payment", "80.00"), ("contractual", "35.00"), ("deductible", "50.00"), ("copay", "20.00")}


async def test_an_unbalanced_file_is_held_naming_the_segment_and_posts_nothing(
        api, stack, database, anonymous, claims):
    claim_id, claim = claims["unbalanced"]
    text = Era(claim, [paying(payer_claim_control_number())]).text()
    broken = text.replace("SVC*HC:83036*42*24", "SVC*HC:83036*42*25")  # line paid one dollar more than it explains
    assert broken != text
    assert await deliver(anonymous, stack, database, broken) == "held"
    era = await delivered_file(database, next(s.split("*")[2] for s in broken.split("~\n") if s.startswith("TRN")))
    assert era["status"] == "held"
    svc_index = next(i for i, s in enumerate(broken.split("~\n")) if s.startswith("SVC*HC:83036"))
    assert f"service_line: ST 0001 claim 1 line 2 at segment {svc_index} (SVC) expected 17 found 18" \
        in era["hold_reason"]
    ledger = await ledger_of(api, stack, claim_id)
    assert ledger["entries"] == [] and ledger["status"] == "submitted"
    assert ledger["insurance_balance"] == "227.00"


@pytest.mark.parametrize("damage", ["truncated", "mis_delimited", "other_payee"])
async def test_a_damaged_or_misaddressed_file_is_kept_whole_flagged_and_posts_nothing(
        api, stack, database, post_webhook, claims, damage):
    # Straight to remittance's signed webhook: the simulator refuses to relay what it cannot read.
    claim_id, claim = claims["bad_files"]
    era = Era(claim, [paying(payer_claim_control_number())])
    text = era.text()
    if damage == "truncated":
        text = text[:text.index("CAS*PR*2*") + len("CAS*PR*2*")]
    elif damage == "mis_delimited":
        isa, rest = text.split("~", 1)
        text = isa + "~" + rest.replace("*", "|")  # the ISA declares '*', the segments use '|'
    else:
        text = Era(claim, era.payments, payee_npi="1497758544").text()
    msg_id = new_message_id()
    response = await post_webhook(f"{stack['REMITTANCE_URL']}/v1/webhooks/clearinghouse",
                                  webhook_body("x12.835", text), msg_id=msg_id)
    stored = await database.fetchrow("SELECT * FROM remittance.era_files WHERE delivery_id = $1", msg_id)
    assert stored["x12"] == text  # kept whole
    if damage == "other_payee":
        assert response.status_code == 200 and response.json()["outcome"] == "held" == stored["outcome"]
        row = await database.fetchrow("SELECT * FROM remittance.eras WHERE delivery_id = $1", stored["delivery_id"])
        payee_index = next(i for i, s in enumerate(text.split("~\n")) if s.startswith("N1*PE"))
        assert row["hold_reason"].startswith(f"other payee at segment {payee_index} (N1)")
    else:
        assert response.status_code == 422 and response.json()["delivery_id"] == msg_id
        assert stored["outcome"] == "parse_error" and "(segment " in stored["parse_error"]
        assert claim.patient_last not in stored["parse_error"] and claim.member_id not in response.text
    ledger = await ledger_of(api, stack, claim_id)
    assert ledger["entries"] == [] and ledger["insurance_balance"] == "227.00"


async def test_a_crossover_claim_is_marked_forwarded(api, stack, database, anonymous, claims):
    claim_id, claim = claims["crossover"]
    payment = paying(payer_claim_control_number())
    era = Era(claim, [ClaimPayment("19", payment.payer_claim_control_number, payment.lines, crossover_carrier=True)])
    assert pyx12_errors(era.text()) == []
    assert await deliver(anonymous, stack, database, era.text()) == "posted"
    ledger = await ledger_of(api, stack, claim_id)
    assert ledger["forwarded"] is True and ledger["status"] == "paid"
    eras = (await api.get(f"{stack['REMITTANCE_URL']}/v1/eras", params={"limit": 500})).json()["eras"]
    [listed] = [e for e in eras if e["trace_number"] == era.trace_number]
    assert listed["forwarded_claims"] == [claim_id]
