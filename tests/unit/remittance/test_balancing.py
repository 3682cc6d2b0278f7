"""TR3 1.10.2 balancing: each broken rule is reported with where it breaks and by how much."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from services.remittance.domain import BalanceError, BalanceRule, find_balance_errors, parse_835

from .fixture_files import WELL_FORMED, fixture_text, parse_fixture


@pytest.mark.parametrize("name", [n for n in WELL_FORMED if n != "unbalanced.835"])
def test_well_formed_fixtures_balance(name):
    assert all(find_balance_errors(era) == [] for era in parse_fixture(name))


def test_unbalanced_fixture_reports_every_level_precisely():
    (era,) = parse_fixture("unbalanced.835")
    st = "0001"
    assert find_balance_errors(era) == [
        # line 0 of claim 0: 100 - 70 = 30 but CAS says 20
        BalanceError(
            BalanceRule.SERVICE_LINE, st, 18, 0, "PCN7001", "ACMECCN7001", 0, Decimal(30), Decimal(20)
        ),
        BalanceError(BalanceRule.CLAIM, st, 16, 0, "PCN7001", "ACMECCN7001", None, Decimal(30), Decimal(20)),
        # claim 1: its line balances (200 - 110 = 90) but CLP04 says 100, not 110
        BalanceError(BalanceRule.CLAIM, st, 21, 1, "PCN7002", "ACMECCN7002", None, Decimal(100), Decimal(90)),
        # BPR02 175 against 70 + 100 paid on the claims
        BalanceError(BalanceRule.TRANSACTION, st, 3, None, None, None, None, Decimal(175), Decimal(170)),
    ]


def test_balance_error_reads_as_location_and_amounts():
    (era,) = parse_fixture("unbalanced.835")
    error = find_balance_errors(era)[0]
    assert str(error) == (
        "service_line out of balance at ST 0001 claim 0 (PCN7001/ACMECCN7001) line 0: expected 30, actual 20"
    )
    assert error.difference == 10
    assert "HOE" not in str(error) and "MEMB" not in str(error)


def test_provider_adjustments_enter_the_transaction_rule():
    text = fixture_text("provider_adjustment_recoupment_interest.835")
    without_plb = text.replace("PLB*1234567893*20241231*WO:ACMECCN0977*120*L6:ACMECCN4001*-4.25~\n", "")
    without_plb = without_plb.replace("SE*24*", "SE*23*")
    (error,) = find_balance_errors(parse_835(without_plb)[0])
    assert (error.rule, error.expected, error.actual) == (BalanceRule.TRANSACTION, Decimal("384.25"), 500)


def test_reversal_with_negative_amounts_balances_and_is_checked():
    (era,) = parse_fixture("reversal_and_correction.835")
    assert find_balance_errors(era) == []
    era.claims[0].lines[0].adjustments.pop()  # drop CAS*PR*2*-36
    rules = [(e.rule, e.expected, e.actual) for e in find_balance_errors(era)]
    assert rules == [
        (BalanceRule.SERVICE_LINE, Decimal(-56), Decimal(-20)),
        (BalanceRule.CLAIM, Decimal(-56), Decimal(-20)),
    ]


def test_debit_payment_is_money_owed_to_the_payer():
    (era,) = parse_fixture("reversal_and_correction.835")
    era.claims.pop()  # only the reversal is left: the claims net to -144
    era.payment = replace(era.payment, total_paid=Decimal(144), credit_debit="D")
    assert find_balance_errors(era) == []
    era.payment = replace(era.payment, credit_debit="C")
    assert [e.rule for e in find_balance_errors(era)] == [BalanceRule.TRANSACTION]
