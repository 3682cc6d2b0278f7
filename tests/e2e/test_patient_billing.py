"""Patient billing through the running stack: the patient ledger, payments and refunds with Idempotency-Key,
and statements (JSON and PDF) whose totals are the ledger's; insurance-pending money is never due."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from decimal import Decimal

import pypdf
import pytest

from tests.e2e.remittance_eras import ClaimPayment, Era, Line, billed_claims, deliver, payer_claim_control_number
from tests.support.encounters import example_encounter

pytestmark = pytest.mark.e2e
D = Decimal


@pytest.fixture(scope="module")
async def patient(api, stack, database, anonymous):
    """A patient with two claims: one adjudicated (76.00 to the patient), one still with the payer."""
    account = f"PT-{uuid.uuid4().hex[:10].upper()}"
    person = example_encounter()["patient"] | {"account_number": account}
    (adjudicated_id, adjudicated), (pending_id, _) = await billed_claims(api, stack, 2, patient=person)
    payment = ClaimPayment("1", payer_claim_control_number(), (
        Line(D("80"), (("CO", "45", D("35")), ("PR", "1", D("50")), ("PR", "3", D("20")))),
        Line(D("24"), (("CO", "45", D("12")), ("PR", "2", D("6"))))))
    assert await deliver(anonymous, stack, database, Era(adjudicated, [payment]).text()) == "posted"
    response = await api.post(f"{stack['REMITTANCE_URL']}/v1/patients/lookup", json={"account_number": account})
    assert response.status_code == 200, response.text
    key = response.json()["patient_key"]
    assert account not in key
    return {"key": key, "account": account, "adjudicated": adjudicated_id, "pending": pending_id}


async def ledger_of(api, stack, key: str) -> dict:
    response = await api.get(f"{stack['REMITTANCE_URL']}/v1/patients/{key}/ledger")
    assert response.status_code == 200, response.text
    ledger = response.json()
    totals = {k: D(v) for k, v in ledger["totals"].items()}
    assert totals["charges"] == totals["insurance_paid"] + totals["adjustments"] + totals["patient_responsibility"] \
        + totals["insurance_pending"]
    assert totals["amount_due"] - totals["credit"] == \
        totals["patient_responsibility"] - totals["patient_payments"] + totals["refunds"]
    return ledger


async def pay(api, stack, key: str, kind: str, amount: str, idempotency_key: str | None = None):
    headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
    return await api.post(f"{stack['REMITTANCE_URL']}/v1/patients/{key}/{kind}",
                          json={"amount": amount, "method": "card"}, headers=headers)


async def test_pending_insurance_is_never_due_from_the_patient(api, stack, patient):
    ledger = await ledger_of(api, stack, patient["key"])
    by_claim = {c["claim_id"]: c for c in ledger["claims"]}
    assert by_claim[patient["pending"]]["status"] == "pending insurance"
    assert (by_claim[patient["pending"]]["insurance_pending"], by_claim[patient["pending"]]["patient_responsibility"]) \
        == ("227.00", "0.00")
    assert by_claim[patient["adjudicated"]]["patient_responsibility"] == "76.00"
    assert (ledger["totals"]["charges"], ledger["totals"]["insurance_paid"], ledger["totals"]["adjustments"],
            ledger["totals"]["insurance_pending"], ledger["totals"]["amount_due"]) == \
        ("454.00", "104.00", "47.00", "227.00", "76.00")


async def test_a_payment_is_taken_once_per_idempotency_key(api, stack, patient):
    key = f"pay-{uuid.uuid4().hex}"
    first = await pay(api, stack, patient["key"], "payments", "30.00", key)
    assert first.status_code == 201, first.text
    again = await pay(api, stack, patient["key"], "payments", "30.00", key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await pay(api, stack, patient["key"], "payments", "31.00", key)
    assert other.status_code == 422 and other.headers["content-type"].startswith("application/problem+json")
    missing = await api.post(f"{stack['REMITTANCE_URL']}/v1/patients/{patient['key']}/payments",
                             json={"amount": "1.00"})
    assert missing.status_code == 422
    assert (await ledger_of(api, stack, patient["key"]))["totals"]["amount_due"] == "46.00"


async def test_the_statement_lists_services_payments_and_due_and_its_pdf_says_the_same(api, stack, patient):
    ledger = await ledger_of(api, stack, patient["key"])
    today = dt.date.today().isoformat()
    run = await api.post(f"{stack['REMITTANCE_URL']}/v1/statements/run", json={"as_of": today})
    assert run.status_code == 200, run.text
    [issued] = [s for s in run.json()["statements"] if s["patient_key"] == patient["key"]]
    assert issued["amount_due"] == "46.00"
    statement = (await api.get(f"{stack['REMITTANCE_URL']}/v1/statements/{issued['statement_id']}")).json()
    assert statement["totals"] == ledger["totals"]
    assert [s["claim_id"] for s in statement["services"]] == [c["claim_id"] for c in ledger["claims"]]
    assert statement["patient"]["account_number"] == patient["account"]

    pdf = await api.get(f"{stack['REMITTANCE_URL']}/v1/statements/{issued['statement_id']}",
                        headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert re.search(r"AMOUNT DUE\s*46\.00", text)
    assert re.search(r"Pending insurance \(not due from you\)\s*227\.00", text)
    assert re.search(r"Insurance payments\s*104\.00", text) and re.search(r"Your payments\s*30\.00", text)
    assert patient["account"] in text
    same = await api.get(f"{stack['REMITTANCE_URL']}/v1/statements/{issued['statement_id']}.pdf")
    assert same.content == pdf.content


async def test_a_refund_never_exceeds_the_patients_credit(api, stack, patient):
    refused = await pay(api, stack, patient["key"], "refunds", "1.00")
    assert refused.status_code == 422 and "credit" in refused.json()["detail"]
    assert (await pay(api, stack, patient["key"], "payments", "56.00")).status_code == 201
    ledger = await ledger_of(api, stack, patient["key"])
    assert (ledger["totals"]["amount_due"], ledger["totals"]["credit"]) == ("0.00", "10.00")
    assert (await pay(api, stack, patient["key"], "refunds", "10.01")).status_code == 422
    refund = await pay(api, stack, patient["key"], "refunds", "10.00")
    assert refund.status_code == 201 and refund.json()["kind"] == "refund"
    ledger = await ledger_of(api, stack, patient["key"])
    assert (ledger["totals"]["amount_due"], ledger["totals"]["credit"], ledger["totals"]["refunds"]) == \
        ("0.00", "0.00", "10.00")


async def test_an_unknown_patient_is_404(api, stack):
    response = await api.get(f"{stack['REMITTANCE_URL']}/v1/patients/{'0' * 32}/ledger")
    assert response.status_code == 404 and response.headers["content-type"].startswith("application/problem+json")
