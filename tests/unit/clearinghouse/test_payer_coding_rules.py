"""SIMDNY's coding denial (99214 without modifier 25: CO-4 with N822) and its pay rule for corrected claims."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from tools.clearinghouse.adjudication import adjudicate
from tools.clearinghouse.claims import SubmittedClaim
from tools.clearinghouse.payer_rules import CodingDenial, DenyRules, load_payers
from tools.clearinghouse.settings import DEFAULT_PAYERS_FILE

from .testkit import submitted_claim

PAYERS = load_payers(DEFAULT_PAYERS_FILE)
SIMDNY = PAYERS["SIMDNY"]
D = Decimal
LINES = [("99214", "185.00"), ("83036", "42.00")]


def claim(first_modifiers: tuple[str, ...], frequency: str = "1", authorization: str | None = "AUTH1",
          lines: list[tuple[str, str]] | None = None) -> SubmittedClaim:
    """A SIMDNY claim whose first line carries first_modifiers (the others none)."""
    built = submitted_claim(lines or LINES, "SIMDNY", prior_authorization=authorization, frequency_code=frequency,
                            original_reference="CCN-ORIGINAL" if frequency == "7" else None)
    first = dataclasses.replace(built.lines[0], modifiers=first_modifiers)
    return dataclasses.replace(built, lines=(first, *built.lines[1:]))


def reasons(claim_: SubmittedClaim) -> tuple[str, list[str]]:
    """CLP02 and, per line, its CAS group-reason codes with the remarks (paid lines show PAID)."""
    result = adjudicate(claim_, SIMDNY, "CCN1")
    assert result is not None
    shown = []
    for line in result.lines:
        codes = ",".join(f"{a.group}-{a.reason}" for a in line.adjustments)
        shown.append(f"PAID {line.paid} {codes}" if line.paid else f"{codes} {' '.join(line.remarks)}")
    return result.status_code, shown


RULE = CodingDenial(procedure_code="99214", required_modifier="25")
RULE_CASES = [
    # (case, procedure code, modifiers, fires)
    ("the procedure without the modifier", "99214", (), True),
    ("the procedure with another modifier only", "99214", ("59",), True),
    ("the procedure with the modifier", "99214", ("25",), False),
    ("the modifier among others", "99214", ("GT", "25"), False),
    ("another procedure without the modifier", "99213", (), False),
]  # fmt: skip


@pytest.mark.parametrize(("code", "modifiers", "fires"), [c[1:] for c in RULE_CASES], ids=[c[0] for c in RULE_CASES])
def test_a_coding_denial_fires_only_on_its_procedure_without_its_modifier(
        code: str, modifiers: tuple[str, ...], fires: bool) -> None:
    line = dataclasses.replace(submitted_claim([(code, "100.00")]).lines[0], modifiers=modifiers)
    assert RULE.fires_on(line) is fires


ADJUDICATION_CASES = [
    # (case, first line modifiers, frequency, prior authorization, CLP02, lines)
    ("coding denial on the original", (), "1", "AUTH1", "4", ["CO-4 N822", "CO-50 N115"]),
    ("coding denial comes before the authorization one", (), "1", None, "4", ["CO-4 N822", "CO-197 M62"]),
    ("clean original: the usual CO-50", ("25",), "1", "AUTH1", "4", ["CO-50 N115", "CO-50 N115"]),
    ("replacement still missing the modifier", (), "7", "AUTH1", "1", ["CO-4 N822", "PAID 33.60 CO-45"]),
    ("replacement without authorization", ("25",), "7", None, "4", ["CO-197 M62", "CO-197 M62"]),
    ("clean replacement is paid", ("25",), "7", "AUTH1", "1", ["PAID 148.00 CO-45", "PAID 33.60 CO-45"]),
]  # fmt: skip


@pytest.mark.parametrize(("modifiers", "frequency", "authorization", "status", "lines"),
                         [c[1:] for c in ADJUDICATION_CASES], ids=[c[0] for c in ADJUDICATION_CASES])
def test_simdny_denies_coding_errors_and_pays_a_clean_replacement(
        modifiers: tuple[str, ...], frequency: str, authorization: str | None, status: str, lines: list[str]) -> None:
    assert reasons(claim(modifiers, frequency, authorization)) == (status, lines)


def test_a_clean_replacement_is_paid_at_the_corrected_claims_fraction_and_balances() -> None:
    result = adjudicate(claim(("25",), "7"), SIMDNY, "CCN2")
    assert result is not None and result.status_code == "1"
    assert (result.paid, result.patient_responsibility) == (D("181.60"), D(0))  # 0.80 of 227.00, no patient share
    assert [line.allowed for line in result.lines] == [D("148.00"), D("33.60")]


def test_without_a_corrected_claims_rule_a_clean_replacement_is_denied_as_before() -> None:
    assert isinstance(SIMDNY.adjudication, DenyRules)
    rules = SIMDNY.adjudication.model_copy(update={"corrected_claims": None, "coding_denials": ()})
    payer = SIMDNY.model_copy(update={"adjudication": rules})
    result = adjudicate(claim((), "7"), payer, "CCN3")
    assert result is not None and result.status_code == "4" and result.paid == D(0)
    assert {a.reason for line in result.lines for a in line.adjustments} == {"50"}
