"""Payer rules from payers.json: what SIMPAY pays, how SIMDNY denies, that SIMACK stays silent."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

import pytest

from tools.clearinghouse.adjudication import (
    Adjustment,
    ClaimAdjudication,
    UnbalancedRemittance,
    adjudicate,
    check_balanced,
    reverse,
)
from tools.clearinghouse.payer_rules import DenyRules, load_payers
from tools.clearinghouse.settings import DEFAULT_PAYERS_FILE

from .testkit import submitted_claim

PAYERS = load_payers(DEFAULT_PAYERS_FILE)
D = Decimal


def paid_lines(lines: list[tuple[str, str]]) -> ClaimAdjudication:
    result = adjudicate(submitted_claim(lines), PAYERS["SIMPAY"], "CCN1")
    assert result is not None
    return result


def amounts_by_code(adjustments: tuple[Adjustment, ...]) -> dict[str, Decimal]:
    return {f"{a.group}-{a.reason}": a.amount for a in adjustments}


PAY_CASES = [
    # (case, lines, index of the line checked, allowed, adjustments, paid)
    ("copay on the first line", [("99213", "100.00")], 0, "80", {"CO-45": "20", "PR-3": "25"}, "55"),
    ("coinsurance on later lines", [("99213", "100.00"), ("99214", "140.00")], 1, "112",
     {"CO-45": "28", "PR-2": "22.40"}, "89.60"),
    ("copay capped at allowed", [("99211", "20.00")], 0, "16", {"CO-45": "4", "PR-3": "16"}, "0"),
    ("deductible then coinsurance", [("99213", "100.00"), ("80053", "85.00")], 1, "68",
     {"CO-45": "17", "PR-1": "40", "PR-2": "5.60"}, "22.40"),
    ("deductible then copay on the first line", [("80053", "85.00")], 0, "68",
     {"CO-45": "17", "PR-1": "40", "PR-3": "25"}, "3"),
    ("deductible capped at allowed", [("99213", "100.00"), ("36415", "10.00")], 1, "8",
     {"CO-45": "2", "PR-1": "8"}, "0"),
    ("allowed rounds to cents", [("99213", "100.00"), ("99213", "33.33")], 1, "26.66",
     {"CO-45": "6.67", "PR-2": "5.33"}, "21.33"),
    ("half a cent rounds up", [("99213", "100.00"), ("99213", "10.01")], 1, "8.01",
     {"CO-45": "2", "PR-2": "1.60"}, "6.41"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "index", "allowed", "adjustments", "paid"),
    [case[1:] for case in PAY_CASES],
    ids=[case[0] for case in PAY_CASES],
)
def test_simpay_line_rules(
    lines: list[tuple[str, str]], index: int, allowed: str, adjustments: dict[str, str], paid: str
) -> None:
    line = paid_lines(lines).lines[index]
    assert line.allowed == D(allowed)
    assert amounts_by_code(line.adjustments) == {code: D(amount) for code, amount in adjustments.items()}
    assert line.paid == D(paid)


def test_simpay_claim_totals() -> None:
    result = paid_lines([("99213", "100.00"), ("80053", "85.00"), ("71046", "50.00")])
    assert result.status_code == "1"
    assert result.charge == D("235.00")
    assert result.paid == D("55") + D("22.40") + D("0")
    assert result.patient_responsibility == D("25") + D("45.60") + D("40")
    assert result.payer_claim_control_number == "CCN1"


def test_no_zero_adjustments_are_reported() -> None:
    line = paid_lines([("99213", "100.00"), ("36415", "10.00")]).lines[1]
    assert all(a.amount != 0 for a in line.adjustments)


def test_simpay_always_balances_and_never_pays_more_than_allowed() -> None:
    generator = random.Random(20260120)
    codes = ["99213", "80053", "36415", "71046", "99214"]
    for _ in range(300):
        lines = [
            (generator.choice(codes), f"{generator.randint(1, 250_000) / 100:.2f}")
            for _ in range(generator.randint(1, 6))
        ]
        result = paid_lines(lines)
        check_balanced(result)
        for line in result.lines:
            assert D(0) <= line.paid <= line.allowed <= line.charge
            assert all(a.amount > 0 for a in line.adjustments)


def test_simdny_denies_with_co50_when_authorized() -> None:
    claim = submitted_claim([("20610", "220.00"), ("J1030", "100.00")], "SIMDNY", prior_authorization="AUTH1")
    result = adjudicate(claim, PAYERS["SIMDNY"], "CCN2")
    assert result is not None and result.status_code == "4"
    assert (result.paid, result.patient_responsibility) == (D(0), D(0))
    for line in result.lines:
        assert amounts_by_code(line.adjustments) == {"CO-50": line.charge}
        assert (line.allowed, line.paid, line.remarks) == (D(0), D(0), ("N115",))


def test_simdny_denies_with_co197_without_prior_authorization() -> None:
    result = adjudicate(submitted_claim([("20610", "220.00")], "SIMDNY"), PAYERS["SIMDNY"], "CCN3")
    assert result is not None
    [line] = result.lines
    assert amounts_by_code(line.adjustments) == {"CO-197": D("220.00")}
    assert line.remarks == ("M62",)


def test_denial_ignores_missing_authorization_when_the_payer_does_not_require_it() -> None:
    rules = DenyRules(kind="deny", prior_authorization_required=False)
    payer = PAYERS["SIMDNY"].model_copy(update={"adjudication": rules})
    result = adjudicate(submitted_claim([("20610", "220.00")], "SIMDNY"), payer, "CCN4")
    assert result is not None and amounts_by_code(result.lines[0].adjustments) == {"CO-50": D("220.00")}


@pytest.mark.parametrize("payer_id", ["SIMACK", "SIMREJ"])
def test_payers_without_adjudication_rules_send_no_835(payer_id: str) -> None:
    assert adjudicate(submitted_claim([("99213", "100.00")], payer_id), PAYERS[payer_id], "CCN5") is None


def test_reversal_negates_every_amount_and_balances() -> None:
    original = paid_lines([("99213", "100.00"), ("80053", "85.00")])
    reversal = reverse(original)
    assert reversal.status_code == "22"
    assert (reversal.charge, reversal.paid) == (-original.charge, -original.paid)
    assert reversal.patient_responsibility == -original.patient_responsibility
    assert reversal.payer_claim_control_number == original.payer_claim_control_number
    for before, after in zip(original.lines, reversal.lines, strict=True):
        assert [a.amount for a in after.adjustments] == [-a.amount for a in before.adjustments]
        assert after.allowed == -before.allowed


def test_check_balanced_catches_a_line_that_does_not_add_up() -> None:
    result = paid_lines([("99213", "100.00")])
    broken_line = dataclasses.replace(result.lines[0], paid=result.lines[0].paid + D("0.01"))
    with pytest.raises(UnbalancedRemittance):
        check_balanced(dataclasses.replace(result, lines=(broken_line,)))


def test_check_balanced_catches_a_claim_charge_that_does_not_add_up() -> None:
    result = paid_lines([("99213", "100.00")])
    with pytest.raises(UnbalancedRemittance):
        check_balanced(dataclasses.replace(result, charge=D("100.01")))


def test_payers_file_holds_the_simulated_payers() -> None:
    # SIMSEC pays as the secondary payer in coordination-of-benefits tests.
    assert set(PAYERS) == {"SIMACK", "SIMPAY", "SIMSEC", "SIMDNY", "SIMREJ"}
    assert [p for p in PAYERS.values() if not p.accepts_claims] == [PAYERS["SIMREJ"]]
