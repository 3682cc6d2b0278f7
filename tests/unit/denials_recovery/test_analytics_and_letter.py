"""Denial analytics and the appeal letter (services/denials/domain/analytics.py, appeal_letter.py, letter_pdf.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from services.denials.adapters.letter_pdf import render_pdf
from services.denials.domain.analytics import denial_rates, recovery_summary
from services.denials.domain.appeal_letter import compose_letter

T0 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
CLAIMS = [
    {"claim_id": "c1", "payer_id": "A", "billing_provider_npi": "1", "lines": [{"procedure_code": "99214"}]},
    {"claim_id": "c2", "payer_id": "A", "billing_provider_npi": "1", "lines": [{"procedure_code": "83036"}]},
    {"claim_id": "c3", "payer_id": "B", "billing_provider_npi": "2", "lines": [{"procedure_code": "99214"}]},
    {"claim_id": "c4", "payer_id": "B", "billing_provider_npi": "2", "lines": [{"procedure_code": "99214"}]},
]
DENIALS = [
    {"claim_id": "c1", "payer_id": "A", "category": "coding", "reason_codes": ["CO-97"], "denied_amount": "50.00",
     "billing_provider_npi": "1", "procedure_codes": ["99214"], "recovered_amount": Decimal("50.00"),
     "created_at": T0, "resolved_at": T0 + dt.timedelta(days=10)},
    {"claim_id": "c3", "payer_id": "B", "category": "authorization", "reason_codes": ["CO-197"],
     "denied_amount": "100.00", "billing_provider_npi": "2", "procedure_codes": ["99214"],
     "recovered_amount": Decimal("0"), "created_at": T0, "resolved_at": None},
]


@pytest.mark.parametrize(("by", "expected"), [
    ("payer", {"A": (2, 1, 0.5), "B": (2, 1, 0.5)}),
    ("procedure", {"99214": (3, 2, 0.6667), "83036": (1, 0, 0.0)}),
    ("provider", {"1": (2, 1, 0.5), "2": (2, 1, 0.5)}),
    ("category", {"coding": (4, 1, 0.25), "authorization": (4, 1, 0.25)}),
    ("carc", {"97": (4, 1, 0.25), "197": (4, 1, 0.25)}),
])
def test_denial_rate_by_dimension(by, expected) -> None:
    rows = {r["key"]: (r["claims"], r["denied"], r["denial_rate"]) for r in denial_rates(by, DENIALS, CLAIMS)}
    assert rows == expected


def test_recovery_summary() -> None:
    appeals = [{"status": "won"}, {"status": "lost"}, {"status": "sent"}]
    summary = recovery_summary(DENIALS, appeals)
    assert summary["overturn_rate"] == 0.5
    assert summary["dollars_recovered"] == "50.00"
    assert summary["average_days_to_resolve"] == 10.0
    assert recovery_summary([], [])["overturn_rate"] is None


def test_the_letter_carries_facts_reasons_and_evidence_and_renders_as_pdf() -> None:
    denial = {"payer_id": "SIMDNY", "claim_id": "c1", "era_id": "e1", "denied_amount": Decimal("227.00"),
              "category": "medical_necessity", "reason_codes": ["CO-50"], "remark_codes": ["N115"],
              "root_cause": "CO-50: not deemed a medical necessity by the payer"}
    facts = {"patient_control_number": "PCN1", "billing_provider_npi": "1234567893", "total_charge": Decimal("227"),
             "lines": [{"line_control_number": "L1", "procedure_code": "99214", "modifiers": ["25"], "charge": "185"}]}
    coding = {"diagnoses": [{"code": "E11.9", "source": "pms"}], "procedures": [{"code": "99214", "source": "pms"}],
              "edits": []}
    letter = compose_letter(level="first", denial=denial, facts=facts, coding=coding,
                            deadline=dt.date(2026, 8, 29), today=dt.date(2026, 5, 1))
    assert ("Appeal deadline", "2026-08-29") in letter.facts
    assert any("CO-50" in r for r in letter.reasons) and any("N115" in r for r in letter.reasons)
    assert any("E11.9" in e for e in letter.evidence)
    pdf = render_pdf(letter)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


def test_without_coding_the_letter_says_the_record_was_unavailable() -> None:
    denial = {"payer_id": "P", "claim_id": "c", "era_id": "e", "denied_amount": Decimal("1"), "category": "coding",
              "reason_codes": ["CO-Z9"], "remark_codes": ["XX1"], "root_cause": "r"}
    letter = compose_letter(level="second", denial=denial, facts=None, coding=None, deadline=dt.date(2026, 1, 1),
                            today=dt.date(2026, 1, 1))
    assert "not available" in letter.evidence[0]
    assert letter.reasons == ["CO-Z9: code not in our table", "XX1: remark not in our table"]
    assert render_pdf(letter).startswith(b"%PDF-")
