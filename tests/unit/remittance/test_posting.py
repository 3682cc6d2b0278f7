"""Posting math: entries per line, the claim outcome, and a ledger that balances to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.remittance.domain import (
    BilledLine,
    ClaimOutcome,
    EntryKind,
    MatchMethod,
    PostingEntry,
    RemarkCode,
    find_balance_errors,
    parse_835,
    post_claim_payment,
)
from services.remittance.domain.posting import to_cents

from .era_file_builder import single_claim_835
from .fixture_files import WELL_FORMED, parse_fixture

FEB_20 = dt.date(2024, 2, 20)
BILLED_1001 = [
    BilledLine("PCN1001-1", "99213", (), Decimal(1), Decimal(150), FEB_20),
    BilledLine("PCN1001-2", "80053", (), Decimal(1), Decimal(100), FEB_20),
    BilledLine("PCN1001-3", "71046", (), Decimal(1), Decimal(200), FEB_20),
]


def _entry(kind, amount, line, control, group=None, reason=None):
    return PostingEntry(kind, Decimal(amount), line, control, group, reason)


def test_payment_with_deductible_coinsurance_copay_and_contractual():
    claim = parse_fixture("payment_deductible_coinsurance_copay.835")[0].claims[0]
    posting = post_claim_payment(claim, BILLED_1001)
    assert posting.outcome is ClaimOutcome.PAID and not posting.forwarded
    assert posting.entries == (
        _entry(EntryKind.PAYMENT, "75.00", 0, "PCN1001-1"),
        _entry(EntryKind.CONTRACTUAL, "50.00", 0, "PCN1001-1", "CO", "45"),
        _entry(EntryKind.COPAY, "25.00", 0, "PCN1001-1", "PR", "3"),
        _entry(EntryKind.CONTRACTUAL, "40.00", 1, "PCN1001-2", "CO", "45"),
        _entry(EntryKind.DEDUCTIBLE, "60.00", 1, "PCN1001-2", "PR", "1"),
        _entry(EntryKind.PAYMENT, "96.00", 2, "PCN1001-3"),
        _entry(EntryKind.CONTRACTUAL, "80.00", 2, "PCN1001-3", "CO", "45"),
        _entry(EntryKind.COINSURANCE, "24.00", 2, "PCN1001-3", "PR", "2"),
    )
    t = posting.totals
    assert (t.billed, t.paid, t.contractual) == (450, 171, 170)
    assert (t.deductible, t.coinsurance, t.copay, t.other_patient_responsibility) == (60, 24, 25, 0)
    assert (t.patient_responsibility, t.balance_after_posting, t.unexplained, t.denied) == (109, 109, 0, 0)
    assert [line.match_method for line in posting.lines] == [MatchMethod.LINE_CONTROL_NUMBER] * 3
    assert posting.lines[1].remark_codes == (RemarkCode("HE", "N130"),)
    assert not posting.lines[1].denied  # paid nothing, but the allowed amount went to the deductible


def test_full_denial_keeps_its_remark_codes():
    claim = parse_fixture("denial_not_medically_necessary.835")[0].claims[0]
    billed = [BilledLine("PCN2001-1", "97110", ("GP",), Decimal(4), Decimal(300), dt.date(2024, 2, 12))]
    posting = post_claim_payment(claim, billed)
    assert posting.outcome is ClaimOutcome.DENIED
    assert posting.entries == (_entry(EntryKind.CONTRACTUAL, "300.00", 0, "PCN2001-1", "CO", "50"),)
    assert posting.remark_codes == (RemarkCode("HE", "MA130"),)
    assert posting.lines[0].remark_codes == (RemarkCode("HE", "N115"),) and posting.lines[0].denied
    assert (posting.totals.denied, posting.totals.balance_after_posting) == (300, 0)


PROFESSIONAL_LINE = "SVC*HC:99213*{charge}*{paid}**1~DTM*472*20240220~{cas}"
# (case, CLP02, [(charge, paid, "CAS..." segments)], outcome)
OUTCOMES = [
    (
        "all pricing and patient responsibility",
        "1",
        [("100", "60", "CAS*CO*45*20~CAS*PR*2*20")],
        ClaimOutcome.PAID,
    ),
    (
        "whole allowed amount to deductible",
        "1",
        [("100", "0", "CAS*CO*45*20~CAS*PR*1*80")],
        ClaimOutcome.PAID,
    ),
    ("secondary after prior payer", "2", [("100", "30", "CAS*OA*23*70")], ClaimOutcome.PAID),
    ("sequestration is pricing", "1", [("100", "78.4", "CAS*CO*45*20~CAS*CO*253*1.6")], ClaimOutcome.PAID),
    (
        "one line denied, one paid",
        "1",
        [("100", "80", "CAS*CO*45*20"), ("50", "0", "CAS*CO*97*50")],
        ClaimOutcome.PARTIALLY_PAID,
    ),
    (
        "paid line reduced for a non-pricing reason",
        "1",
        [("100", "50", "CAS*CO*150*50")],
        ClaimOutcome.PARTIALLY_PAID,
    ),
    (
        "deductible on one line, other denied",
        "1",
        [("100", "0", "CAS*PR*1*100"), ("50", "0", "CAS*CO*50*50")],
        ClaimOutcome.PARTIALLY_PAID,
    ),
    ("every line paid nothing, no patient share", "1", [("100", "0", "CAS*CO*16*100")], ClaimOutcome.DENIED),
    ("CLP02 4", "4", [("100", "0", "CAS*CO*50*100")], ClaimOutcome.DENIED),
    ("forwarded still has an outcome", "19", [("100", "80", "CAS*CO*45*20")], ClaimOutcome.PAID),
]


@pytest.mark.parametrize(("case", "status", "lines", "outcome"), OUTCOMES, ids=[o[0] for o in OUTCOMES])
def test_claim_outcome(case, status, lines, outcome):
    charge = sum(Decimal(c) for c, _, _ in lines)
    paid = sum(Decimal(p) for _, p, _ in lines)
    patient = sum(
        (Decimal(cas.split("*")[3]) for *_, adjustments in lines for cas in adjustments.split("~")
         if cas.startswith("CAS*PR")), Decimal(0),
    )  # fmt: skip
    segments = [f"CLP*PCN01*{status}*{charge}*{paid}*{patient}*12*CCN01*11*1", "NM1*QC*1*DOE*JANE****MI*M1"]
    for line_charge, line_paid, adjustments in lines:
        segments += PROFESSIONAL_LINE.format(charge=line_charge, paid=line_paid, cas=adjustments).split("~")
    (era,) = parse_835(single_claim_835(segments, str(paid)))
    assert find_balance_errors(era) == []
    posting = post_claim_payment(era.claims[0], [])
    assert posting.outcome is outcome
    assert posting.forwarded is (status == "19")


def test_institutional_claim_posts_at_claim_level_and_is_forwarded():
    claim = parse_fixture("institutional_crossover.835")[0].claims[0]
    posting = post_claim_payment(claim, [])
    assert posting.outcome is ClaimOutcome.PAID and posting.forwarded
    assert posting.entries == (
        _entry(EntryKind.PAYMENT, "7800.00", None, None),
        _entry(EntryKind.CONTRACTUAL, "2600.00", None, None, "CO", "45"),
        _entry(EntryKind.DEDUCTIBLE, "1600.00", None, None, "PR", "1"),
    )
    assert posting.remark_codes == (RemarkCode("HE", "MA01"),)


def test_claim_level_payment_reconciles_lines_to_clp04():
    # Unbalanced claim 2: lines pay 110, CLP04 says 100; the difference posts at claim level and the
    # ledger shows the 10 nobody explained.
    claim = parse_fixture("unbalanced.835")[0].claims[1]
    posting = post_claim_payment(claim, [])
    assert posting.claim_entries == (_entry(EntryKind.PAYMENT, "-10.00", None, None),)
    assert (posting.totals.paid, posting.totals.unexplained) == (100, 10)


def _all_claims():
    for name in WELL_FORMED:
        for era in parse_fixture(name):
            for claim in era.claims:
                yield pytest.param(
                    name, claim, id=f"{name}:{claim.patient_control_number}/{claim.status_code}"
                )


@pytest.mark.parametrize(("name", "claim"), list(_all_claims()))
def test_ledger_equation_holds_to_the_cent(name, claim):
    t = post_claim_payment(claim, []).totals
    assert (
        t.billed - t.paid - t.contractual - t.payer_initiated - t.other_adjustments - t.prior_payer
        == t.balance_after_posting
    )
    assert t.balance_after_posting == t.patient_responsibility + t.unexplained
    assert (
        t.billed
        == t.paid
        + t.contractual
        + t.payer_initiated
        + t.other_adjustments
        + t.prior_payer
        + t.patient_responsibility
        + (t.unexplained)
    )
    assert (t.unexplained == 0) is (name != "unbalanced.835")
    assert all(value.as_tuple().exponent == -2 for value in (t.billed, t.paid, t.balance_after_posting))


@pytest.mark.parametrize(
    ("amount", "cents"),
    [("10", "10.00"), ("0.005", "0.01"), ("-0.005", "-0.01"), ("12.344", "12.34"), ("1.995", "2.00")],
)
def test_amounts_round_half_up_to_cents(amount, cents):
    assert str(to_cents(Decimal(amount))) == cents


def test_sub_cent_amounts_still_balance():
    segments = [
        "CLP*PCN01*1*100.005*60.005*20*12*CCN01*11*1",
        "NM1*QC*1*DOE*JANE****MI*M1",
        "SVC*HC:99213*100.005*60.005**1",
        "CAS*CO*45*20*1*253*0~CAS*PR*2*20",
    ]
    (era,) = parse_835(single_claim_835([*segments[:3], *segments[3].split("~")], "60.005"))
    t = post_claim_payment(era.claims[0], []).totals
    assert (t.billed, t.paid, t.unexplained) == (Decimal("100.01"), Decimal("60.01"), 0)
