"""When an adjudication makes the claim billable to the next coverage, and what it passes on."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from services.remittance.domain import BilledLine, post_claim_payment
from services.remittance.domain.secondary_billing import next_payer_priority, prior_adjudication

from .fixture_files import parse_fixture

FEB_20 = dt.date(2024, 2, 20)
BILLED_1001 = [
    BilledLine("PCN1001-1", "99213", (), Decimal(1), Decimal(150), FEB_20),
    BilledLine("PCN1001-2", "80053", (), Decimal(1), Decimal(100), FEB_20),
    BilledLine("PCN1001-3", "71046", (), Decimal(1), Decimal(200), FEB_20),
]
BOTH = ["primary", "secondary"]


def _paid_claim():
    return parse_fixture("payment_deductible_coinsurance_copay.835")[0].claims[0]


@pytest.mark.parametrize(
    ("fixture", "status", "coverages", "expected"),
    [
        ("payment_deductible_coinsurance_copay.835", None, BOTH, "secondary"),  # primary paid, secondary exists
        ("payment_deductible_coinsurance_copay.835", None, ["primary"], None),  # nothing to bill next
        ("payment_deductible_coinsurance_copay.835", "2", ["primary", "secondary", "tertiary"], "tertiary"),
        ("payment_deductible_coinsurance_copay.835", "2", BOTH, None),  # secondary paid, no tertiary
        ("denial_not_medically_necessary.835", None, BOTH, None),  # a denial is worked, not passed on
        ("institutional_crossover.835", None, BOTH, None),  # CLP02=19: the payer forwarded it already
    ],
)
def test_next_payer_priority(fixture, status, coverages, expected):
    claim = parse_fixture(fixture)[0].claims[0]
    if status:
        claim = replace(claim, status_code=status)
    posting = post_claim_payment(claim, BILLED_1001 if fixture.startswith("payment") else [])
    assert next_payer_priority(claim, posting, coverages) == expected


def test_a_crossover_carrier_alone_stops_secondary_billing():
    claim = parse_fixture("institutional_crossover.835")[0].claims[0]
    claim = replace(claim, status_code="1")
    assert next_payer_priority(claim, post_claim_payment(claim, []), BOTH) is None


def test_prior_adjudication_names_each_line_by_its_billed_control_number():
    claim = _paid_claim()
    prior = prior_adjudication(claim, post_claim_payment(claim, BILLED_1001), "secondary")
    assert (prior.next_payer_priority, prior.payer_claim_control_number, prior.paid_total) == \
        ("secondary", "ACMECCN1001", Decimal("171"))
    assert [(line.line_control_number, line.paid, line.paid_units) for line in prior.lines] == [
        ("PCN1001-1", Decimal("75"), Decimal(1)), ("PCN1001-2", Decimal("0"), Decimal(1)),
        ("PCN1001-3", Decimal("96"), Decimal(1))]
    assert [(a.group_code, a.reason_code, a.amount) for a in prior.lines[1].adjustments] == [
        ("CO", "45", Decimal("40")), ("PR", "1", Decimal("60"))]
    assert prior.claim_adjustments == ()


def test_prior_adjudication_leaves_out_lines_it_cannot_name():
    claim = _paid_claim()
    prior = prior_adjudication(claim, post_claim_payment(claim, BILLED_1001[:1]), "secondary")
    assert [line.line_control_number for line in prior.lines] == ["PCN1001-1"]
