"""X12's published 835 examples balance (TR3 1.10.2) and post to the cent, per group code and CARC."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.remittance.domain import (
    BalanceRule,
    BilledLine,
    ClaimOutcome,
    MatchMethod,
    Remittance,
    find_balance_errors,
    parse_835,
    post_claim_payment,
)

from .fixture_files import fixture_text, parse_fixture
from .test_tr3_examples import restored_tertiary

D = Decimal
EXAMPLES = {
    "managed_care": lambda: parse_fixture("tr3_example_managed_care.835")[0],
    "medicare_part_a": lambda: parse_fixture("tr3_example_medicare_part_a.835")[0],
    "cob_contractual_adjustment": lambda: parse_fixture("tr3_example_cob_contractual_adjustment.835")[0],
    "secondary_payment": lambda: parse_fixture("tr3_example_secondary_payment.835")[0],
    "tertiary_payment": lambda: parse_835(restored_tertiary())[0],
}

# BPR02 = sum of CLP04 - sum of PLB amounts
TRANSACTION_TOTALS = {
    "managed_care": ("945.00", "945.00", "0"),
    "medicare_part_a": ("150000.00", "149998.73", "-1.27"),
    "cob_contractual_adjustment": ("34.00", "34.00", "0"),
    "secondary_payment": ("1222.00", "1222.00", "0"),
    "tertiary_payment": ("187.50", "187.50", "0"),
}


def _sum(values) -> Decimal:
    return sum(values, D(0))


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_line_claim_and_the_transaction_balance(example):
    era: Remittance = EXAMPLES[example]()
    assert find_balance_errors(era) == []
    for claim in era.claims:
        for line in claim.lines:
            assert line.charge - line.paid == _sum(a.amount for a in line.adjustments)
        line_cas = _sum(a.amount for line in claim.lines for a in line.adjustments)
        assert claim.total_charge - claim.paid == _sum(a.amount for a in claim.adjustments) + line_cas
    bpr02, paid, plb = (D(v) for v in TRANSACTION_TOTALS[example])
    assert (era.payment.total_paid, _sum(c.paid for c in era.claims),
            _sum(a.amount for a in era.provider_adjustments)) == (bpr02, paid, plb)
    assert bpr02 == paid - plb


def test_a_cent_off_in_a_published_example_is_found_at_line_claim_and_transaction():
    text = fixture_text("tr3_example_managed_care.835").replace("CAS*CO*45*50.00", "CAS*CO*45*49.99")
    text = text.replace("BPR*I*945.00*", "BPR*I*945.01*")
    line, claim, transaction = find_balance_errors(parse_835(text)[0])
    assert (line.rule, line.segment_index, line.expected, line.actual) == \
        (BalanceRule.SERVICE_LINE, 22, D("650.00"), D("649.99"))
    assert (claim.rule, claim.segment_index, claim.expected, claim.actual) == \
        (BalanceRule.CLAIM, 19, D("705.00"), D("704.99"))
    assert (transaction.rule, transaction.expected, transaction.actual) == \
        (BalanceRule.TRANSACTION, D("945.01"), D("945.00"))


# (example, claim index, outcome, entries as (kind, group, CARC, amount, line index), CLP05)
POSTINGS = [
    ("managed_care", 0, "paid", [
        ("payment", None, None, "-50.00", None), ("contractual", "CO", "A2", "50.00", None),
        ("payment", None, None, "500.00", 0), ("deductible", "PR", "1", "300.00", 0)], "300"),
    ("managed_care", 1, "paid", [
        ("payment", None, None, "-55.00", None), ("contractual", "CO", "A2", "55.00", None),
        ("payment", None, None, "550.00", 0), ("deductible", "PR", "1", "600.00", 0),
        ("contractual", "CO", "45", "50.00", 0)], "600"),
    ("medicare_part_a", 0, "paid", [
        ("payment", None, None, "138018.40", None), ("contractual", "CO", "45", "73348.57", None)], None),
    ("medicare_part_a", 1, "paid", [
        ("payment", None, None, "11980.33", None), ("contractual", "CO", "45", "3019.67", None)], None),
    ("cob_contractual_adjustment", 0, "paid", [
        ("payment", None, None, "34.00", 0), ("prior_payer", "OA", "23", "516.00", 0),
        ("other_adjustment", "OA", "94", "-9.00", 0)], None),
    ("secondary_payment", 0, "paid", [
        ("payment", None, None, "912.00", None), ("prior_payer", "OA", "23", "9411.64", None)], None),
    ("secondary_payment", 1, "paid", [
        ("payment", None, None, "30.00", 0), ("prior_payer", "OA", "23", "136.50", 0),
        ("payment", None, None, "280.00", 1), ("deductible", "PR", "1", "150.00", 1),
        ("coinsurance", "PR", "2", "70.00", 1), ("contractual", "CO", "42", "85.00", 1)], "220"),
    ("tertiary_payment", 0, "paid", [
        ("payment", None, None, "187.50", 0), ("prior_payer", "OA", "23", "1579.00", 0)], None),
]


@pytest.mark.parametrize(("example", "index", "outcome", "entries", "patient_share"), POSTINGS)
def test_each_claim_posts_per_group_code_and_carc_to_the_cent(example, index, outcome, entries, patient_share):
    claim = EXAMPLES[example]().claims[index]
    posting = post_claim_payment(claim, [])
    assert posting.outcome.value == outcome
    assert [(e.kind.value, e.group_code, e.reason_code, str(e.amount), e.line_index) for e in posting.entries] \
        == entries
    totals = posting.totals
    assert totals.unexplained == 0
    assert totals.denied <= 0  # nothing refused (the COB example's OA-94 "processed in excess" counts -9)
    assert (totals.billed, totals.paid) == (claim.total_charge, claim.paid)
    assert totals.balance_after_posting == totals.patient_responsibility
    if patient_share is not None:  # CLP05 is what the payer says the patient owes
        assert totals.patient_responsibility == D(patient_share)


def test_the_published_examples_post_with_the_right_totals():
    totals = [post_claim_payment(c, []).totals for c in EXAMPLES["secondary_payment"]().claims]
    assert _sum(t.paid for t in totals) == D("1222.00")
    # OA-23 is the prior payers' part, not this payer's adjustment.
    assert _sum(t.prior_payer for t in totals) == D("9548.14") and _sum(t.other_adjustments for t in totals) == 0
    assert (totals[1].deductible, totals[1].coinsurance, totals[1].contractual) == (D("150"), D("70"), D("85"))


def test_a_published_line_matches_the_billed_line_by_code_and_date_without_a_ref_6r():
    claim = EXAMPLES["managed_care"]().claims[0]
    billed = BilledLine("LCN-1", "99211", (), D(1), D("800"), dt.date(2002, 3, 1))
    posting = post_claim_payment(claim, [billed])
    (line,) = posting.lines
    assert (line.billed_line, line.match_method) == (billed, MatchMethod.CODE_MODIFIERS_UNITS_DATE)
    assert {e.line_control_number for e in line.entries} == {"LCN-1"}
    assert posting.matching.unmatched == () and posting.matching.unpaid_billed_lines == ()


def test_claim_level_contractual_adjustment_is_not_a_denial():
    # CO-A2 at claim level and OA-23 on a secondary are pricing, not refused money: the claims are paid.
    outcomes = [post_claim_payment(c, []).outcome for name in ("managed_care", "secondary_payment")
                for c in EXAMPLES[name]().claims]
    assert outcomes == [ClaimOutcome.PAID] * 4
