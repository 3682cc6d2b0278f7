"""The patient ledger and statement: pending insurance is never due, refunds stop at the credit, the PDF says
what the JSON says."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pypdf
import pytest

from services.remittance.adapters.statement_pdf import render_statement_pdf
from services.remittance.domain.patient_ledger import (
    ClaimCharges,
    PatientLedger,
    PatientTransaction,
    PatientTransactionRefused,
    check_transaction,
)
from services.remittance.domain.statement import statement_document

D = Decimal
DAY = dt.date(2026, 11, 2)
PAID = ClaimCharges("c1", DAY, "SIMPAY", "paid", ("99214-25", "83036"), D("227.00"), D("104.00"), D("47.00"),
                    D("76.00"))
PENDING = ClaimCharges("c2", DAY, "SIMPAY", "submitted", ("99213",), D("150.00"), D("0.00"), D("0.00"), D("0.00"))
REVERSED = ClaimCharges("c3", DAY, "SIMPAY", "reversed", ("99213",), D("150.00"), D("0.00"), D("0.00"), D("0.00"))
PATIENT = {"first_name": "Maria", "last_name": "Lopez & Sons", "account_number": "PT-1",
           "address": {"line1": "410 Elm Street", "line2": None, "city": "Springfield", "state": "IL",
                       "postal_code": "627011234"}}


def _payment(amount: str, kind: str = "payment") -> PatientTransaction:
    return PatientTransaction("t", kind, D(amount), "card", DAY)


@pytest.mark.parametrize(
    ("claims", "transactions", "due", "pending"),
    [
        ((PAID,), (), "76.00", "0.00"),
        ((PAID, PENDING), (), "76.00", "150.00"),  # pending insurance stays out of what is due
        ((REVERSED,), (), "0.00", "150.00"),  # a reversed claim is back with the payer
        ((PAID,), (_payment("30"),), "46.00", "0.00"),
        ((PAID,), (_payment("86"), _payment("10", "refund")), "0.00", "0.00"),
    ],
)
def test_patient_due_and_pending_insurance(claims, transactions, due, pending):
    ledger = PatientLedger(claims, transactions)
    assert (ledger.patient_due, ledger.insurance_pending) == (D(due), D(pending))
    assert ledger.charges == ledger.insurance_paid + ledger.adjustments + ledger.patient_responsibility \
        + ledger.insurance_pending


@pytest.mark.parametrize(
    ("kind", "amount", "transactions", "refused"),
    [
        ("payment", "10.00", (), False),
        ("payment", "0", (), True),
        ("payment", "1.001", (), True),
        ("refund", "10.00", (_payment("86"),), False),  # 10.00 credit
        ("refund", "10.01", (_payment("86"),), True),
        ("refund", "1.00", (), True),  # nothing to refund
    ],
)
def test_check_transaction(kind, amount, transactions, refused):
    ledger = PatientLedger((PAID,), transactions)
    if refused:
        with pytest.raises(PatientTransactionRefused):
            check_transaction(ledger, kind, D(amount))
    else:
        check_transaction(ledger, kind, D(amount))


def test_the_statement_pdf_shows_the_documents_totals():
    ledger = PatientLedger((PAID, PENDING), (_payment("30"),))
    document = statement_document(ledger, PATIENT, "Springfield Family Medicine", "k" * 32, dt.date(2026, 11, 27))
    assert document["totals"]["amount_due"] == "46.00" and document["totals"]["insurance_pending"] == "150.00"
    assert [s["status"] for s in document["services"]] == ["adjudicated", "pending insurance"]
    pdf = render_statement_pdf(document)
    assert pdf == render_statement_pdf(document)  # same statement, same bytes
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for label, value in (("Total charges", "377.00"), ("Insurance payments", "104.00"), ("Adjustments", "47.00"),
                         ("Your responsibility", "76.00"), ("Your payments", "30.00"),
                         (r"Pending insurance \(not due from you\)", "150.00"), ("AMOUNT DUE", "46.00")):
        assert re.search(rf"{label}\s*{re.escape(value)}", text), label
    assert "Lopez & Sons" in text
