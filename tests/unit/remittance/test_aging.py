"""A/R aging: buckets, insurance A/R by payer, patient A/R settled oldest first, days in A/R and collection rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.remittance.domain.aging import (
    BUCKETS,
    PatientShare,
    bucket,
    insurance_aging,
    patient_aging,
    summarise,
)
from services.remittance.domain.patient_ledger import ClaimCharges, PatientTransaction

D = Decimal
AS_OF = dt.date(2026, 11, 27)


def _claim(claim_id: str, age: int, payer: str = "SIMACK", paid: str = "0", written_off: str = "0",
           patient: str = "0", status: str = "submitted") -> ClaimCharges:
    return ClaimCharges(claim_id, AS_OF - dt.timedelta(days=age), payer, status, ("99214",), D("227.00"), D(paid),
                        D(written_off), D(patient))


@pytest.mark.parametrize(("age", "expected"), [(0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"),
                                               (61, "61-90"), (90, "61-90"), (91, "91-120"), (120, "91-120"),
                                               (121, "120+"), (400, "120+")])
def test_bucket_boundaries(age, expected):
    assert bucket(age) == expected


def test_insurance_aging_by_payer_and_by_patient():
    paid = _claim("b", 45, paid="104", written_off="47", patient="76", status="paid")
    claims = [(_claim("a", 10), "p1"), (paid, "p1"), (_claim("c", 75), "p2"),
              (_claim("d", 100, payer="OTHER"), "p2"), (_claim("e", 150), "p2")]
    [other, simack] = insurance_aging(claims, AS_OF, "payer")
    assert other.key == "OTHER" and other.buckets["91-120"] == D("227") and other.total == D("227")
    assert [simack.buckets[b] for b in BUCKETS] == [D("227"), D("0"), D("227"), D("0"), D("227")]
    by_patient = {row.key: row.total for row in insurance_aging(claims, AS_OF, "patient")}
    assert by_patient == {"p1": D("227"), "p2": D("681")}


def _share(claim_id: str, patient: str, key: str, days_ago: int) -> PatientShare:
    claim = _claim(claim_id, days_ago, paid="0", patient=patient, status="paid")
    return PatientShare(claim, key, AS_OF - dt.timedelta(days=days_ago))


def _money(kind: str, amount: str) -> PatientTransaction:
    return PatientTransaction("t", kind, D(amount), "card", AS_OF)


def test_patient_payments_settle_the_oldest_share_first_and_overpayment_is_a_credit():
    shares = [_share("new", "50", "p1", 5), _share("old", "40", "p1", 70), _share("x", "20", "p2", 40)]
    rows = patient_aging(shares, {"p1": [_money("payment", "60")], "p3": [_money("payment", "15")]}, AS_OF)
    p1, p2, p3 = rows
    assert (p1.key, p1.buckets["61-90"], p1.buckets["0-30"], p1.credit) == ("p1", D("0"), D("30"), D("0"))
    assert (p2.key, p2.buckets["31-60"], p2.total) == ("p2", D("20"), D("20"))
    assert (p3.key, p3.total, p3.credit) == ("p3", D("0"), D("15"))


def test_a_refunded_credit_leaves_nothing_and_the_patient_drops_out():
    rows = patient_aging([_share("a", "40", "p1", 5)],
                         {"p1": [_money("payment", "50"), _money("refund", "10")]}, AS_OF)
    assert rows == []


def test_summary_days_in_a_r_and_collection_rates():
    claims = [_claim("a", 10), _claim("b", 45, paid="104", written_off="47", patient="76", status="paid"),
              _claim("c", 75), _claim("d", 100), _claim("e", 150)]
    insurance = insurance_aging([(c, "p") for c in claims], AS_OF, "payer")
    patient = patient_aging([_share("b", "76", "p", 0)], {"p": [_money("payment", "30")]}, AS_OF)
    figures = summarise(insurance, patient, claims, [_money("payment", "30")], AS_OF)
    assert figures.total == D("908") + D("46")
    assert figures.days_in_a_r == D("126.1")  # 954 / (681 / 90)
    assert figures.gross_collection_rate == D("0.1181")  # 134 / 1135
    assert figures.net_collection_rate == D("0.1232")  # 134 / (1135 - 47)


def test_summary_without_charges_has_no_rates():
    figures = summarise([], [], [], [], AS_OF)
    assert (figures.days_in_a_r, figures.gross_collection_rate, figures.net_collection_rate) == (None, None, None)
