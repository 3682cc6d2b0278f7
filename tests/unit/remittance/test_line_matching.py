"""Matching 835 service lines to billed lines, strongest evidence first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.remittance.domain import (
    BilledLine,
    ClaimPayment,
    MatchMethod,
    ProcedureCode,
    Reference,
    ServiceLine,
    match_lines,
)

from .fixture_files import parse_fixture

FEB_19 = dt.date(2024, 2, 19)
FEB_20 = dt.date(2024, 2, 20)


def billed(control: str, code: str, modifiers: tuple[str, ...] = (), charge="100", units="1", date=FEB_19):
    return BilledLine(control, code, modifiers, Decimal(units), Decimal(charge), date)


def paid(
    code,
    modifiers=(),
    charge="100",
    units="1",
    date=FEB_19,
    control=None,
    submitted=None,
    submitted_units=None,
):
    line = ServiceLine(
        0, ProcedureCode("HC", code, modifiers), Decimal(charge), Decimal(0), "", Decimal(units),
        ProcedureCode("HC", submitted[0], tuple(submitted[1:])) if submitted else None,
        Decimal(submitted_units) if submitted_units else None,
    )  # fmt: skip
    if date:
        line.dates["472"] = date
    if control:
        line.references.append(Reference("6R", control))
    return line


def claim_of(*lines: ServiceLine, statement_date: dt.date | None = None) -> ClaimPayment:
    claim = ClaimPayment(0, "1", "PCN", "1", Decimal(0), Decimal(0), None, "12", "CCN", "11", "1")
    claim.lines.extend(lines)
    if statement_date:
        claim.dates["232"] = statement_date
    return claim


A, B, C = "A", "B", "C"
# (case, paid lines, billed lines, expected [(line index, billed control, method, code changed)], unmatched)
CASES = [
    (
        "control number wins over a different code",
        [paid("99999", control=A)],
        [billed(A, "99213")],
        [(0, A, MatchMethod.LINE_CONTROL_NUMBER, False)],
        [],
    ),
    (
        "code modifiers units date",
        [paid("99213", ("25",))],
        [billed(A, "99213", ("25",))],
        [(0, A, MatchMethod.CODE_MODIFIERS_UNITS_DATE, False)],
        [],
    ),
    (
        "modifier order does not matter",
        [paid("97597", ("59", "GP"))],
        [billed(A, "97597", ("GP", "59"))],
        [(0, A, MatchMethod.CODE_MODIFIERS_UNITS_DATE, False)],
        [],
    ),
    (
        "payer dropped a modifier",
        [paid("11721")],
        [billed(A, "11721", ("Q8",))],
        [(0, A, MatchMethod.CODE_DATE_CHARGE, False)],
        [],
    ),
    (
        "payer changed a modifier",
        [paid("97597", ("XS",))],
        [billed(A, "97597", ("59",))],
        [(0, A, MatchMethod.CODE_DATE_CHARGE, False)],
        [],
    ),
    (
        "payer changed the code, SVC06 holds ours",
        [paid("99213", submitted=("99214", "25"))],
        [billed(A, "99214", ("25",))],
        [(0, A, MatchMethod.CODE_MODIFIERS_UNITS_DATE, True)],
        [],
    ),
    (
        "changed units reported in SVC07",
        [paid("97110", units="2", submitted_units="4")],
        [billed(A, "97110", units="4")],
        [(0, A, MatchMethod.CODE_MODIFIERS_UNITS_DATE, False)],
        [],
    ),
    (
        "identical lines pair one to one",
        [paid("99213"), paid("99213")],
        [billed(A, "99213"), billed(B, "99213")],
        [
            (0, A, MatchMethod.CODE_MODIFIERS_UNITS_DATE, False),
            (1, B, MatchMethod.CODE_MODIFIERS_UNITS_DATE, False),
        ],
        [],
    ),
    (
        "a control number match is never stolen by a weaker one",
        [paid("99213"), paid("99213", control=A)],
        [billed(A, "99213"), billed(B, "99213")],
        [
            (0, B, MatchMethod.CODE_MODIFIERS_UNITS_DATE, False),
            (1, A, MatchMethod.LINE_CONTROL_NUMBER, False),
        ],
        [],
    ),
    (
        "an unknown control number falls back to the code",
        [paid("99213", control="ZZ")],
        [billed(A, "99213")],
        [(0, A, MatchMethod.CODE_MODIFIERS_UNITS_DATE, False)],
        [],
    ),
    (
        "reversal lines match by magnitude",
        [paid("99213", ("25",), charge="-100", units="-1")],
        [billed(A, "99213")],
        [(0, A, MatchMethod.CODE_DATE_CHARGE, False)],
        [],
    ),
    ("another date does not match", [paid("99213", date=FEB_20)], [billed(A, "99213")], [], [(0, [A])]),
    (
        "code changed without SVC06: candidates share date and charge",
        [paid("99212")],
        [billed(A, "99213"), billed(B, "99213", charge="80")],
        [],
        [(0, [A])],
    ),
]


@pytest.mark.parametrize(
    ("case", "lines", "billed_lines", "expected", "unmatched"), CASES, ids=[c[0] for c in CASES]
)
def test_line_matching(case, lines, billed_lines, expected, unmatched):
    matching = match_lines(claim_of(*lines), billed_lines)
    assert [
        (m.line_index, m.billed.line_control_number, m.method, m.code_changed) for m in matching.matches
    ] == (expected)
    assert [
        (u.line_index, [b.line_control_number for b in u.candidates]) for u in matching.unmatched
    ] == unmatched


def test_billed_lines_the_payer_left_out_are_reported():
    matching = match_lines(
        claim_of(paid("99213")), [billed(A, "99213"), billed(B, "36415"), billed(C, "81002")]
    )
    assert [b.line_control_number for b in matching.unpaid_billed_lines] == [B, C]


def test_undated_line_uses_the_claim_statement_date():
    claim = claim_of(paid("99213", date=None), statement_date=FEB_20)
    assert match_lines(claim, [billed(A, "99213", date=FEB_19)]).matches == ()
    assert match_lines(claim, [billed(A, "99213", date=FEB_20)]).match_for(0).billed.line_control_number == A


def test_fixture_with_changed_modifiers_and_code():
    claim = parse_fixture("payer_changed_modifiers_and_code.835")[0].claims[0]
    ours = [
        billed("L1", "99214", ("25",), charge="180"),
        billed("L2", "11721", ("Q8",), charge="90"),
        billed("L3", "97597", ("59",), charge="150"),
    ]
    matching = match_lines(claim, ours)
    assert [(m.billed.line_control_number, m.method, m.code_changed) for m in matching.matches] == [
        ("L1", MatchMethod.CODE_MODIFIERS_UNITS_DATE, True),
        ("L2", MatchMethod.CODE_DATE_CHARGE, False),
        ("L3", MatchMethod.CODE_DATE_CHARGE, False),
    ]
    assert matching.unmatched == () and matching.unpaid_billed_lines == ()
