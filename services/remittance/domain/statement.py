"""A patient statement: the services, what insurance did with each, and what the patient owes, as of a date.

The statement is built from the patient ledger alone, so its totals are the ledger's by construction;
insurance-pending money is shown as pending, never in the amount due.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from services.remittance.domain.patient_ledger import ZERO, PatientLedger


def money(value: Decimal) -> str:
    """Dollars to the cent, as text."""
    return f"{value:.2f}"


def statement_document(ledger: PatientLedger, patient: dict[str, Any], practice: str, patient_key: str,
                       as_of: dt.date) -> dict[str, Any]:
    """The statement as JSON: one line per service (claim), the patient's payments and the totals."""
    due = ledger.patient_due
    return {
        "patient_key": patient_key, "as_of": as_of.isoformat(), "practice": practice,
        "patient": {"name": f"{patient['first_name']} {patient['last_name']}",
                    "account_number": patient["account_number"], "address": patient["address"]},
        "services": [{
            "claim_id": claim.claim_id, "date_of_service": claim.date_of_service.isoformat(),
            "procedures": list(claim.procedures), "payer_id": claim.payer_id,
            "status": "adjudicated" if claim.adjudicated else "pending insurance",
            "charges": money(claim.charges), "insurance_paid": money(claim.insurance_paid),
            "adjustments": money(claim.adjustments), "patient_responsibility": money(claim.patient_responsibility),
            "insurance_pending": money(claim.insurance_pending),
        } for claim in ledger.claims],
        "patient_transactions": [{"kind": t.kind, "amount": money(t.amount), "method": t.method,
                                  "received_on": t.received_on.isoformat()} for t in ledger.transactions],
        "totals": {
            "charges": money(ledger.charges), "insurance_paid": money(ledger.insurance_paid),
            "adjustments": money(ledger.adjustments), "patient_responsibility": money(ledger.patient_responsibility),
            "insurance_pending": money(ledger.insurance_pending), "patient_payments": money(ledger.payments),
            "refunds": money(ledger.refunds), "amount_due": money(max(due, ZERO)), "credit": money(max(-due, ZERO)),
        },
    }
