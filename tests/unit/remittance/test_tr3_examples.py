"""X12's published 835 examples (005010X221A1 section 3) parse, balance and post to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.remittance.domain import find_balance_errors, post_claim_payment

from .fixture_files import parse_fixture

EXAMPLES = {"tr3_example_dollars_and_data_together.835": "C", "tr3_example_dollars_and_data_separate.835": "I"}


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_published_example_parses_and_balances(name):
    [remittance] = parse_fixture(name)
    assert find_balance_errors(remittance) == []
    assert remittance.payment.handling_code == EXAMPLES[name]
    assert remittance.payment.total_paid == Decimal("150000")
    assert (remittance.trace.trace_number, remittance.trace.originating_company_id) == ("12345", "1512345678")
    assert [c.patient_control_number for c in remittance.claims] == ["666123", "777777"]
    assert sum(c.paid for c in remittance.claims) == Decimal("149998.73")
    [capital] = remittance.provider_adjustments
    assert (capital.reason_code, capital.reference_id, capital.amount) == ("CV", "CP", Decimal("-1.27"))
    assert [s.header_number for s in remittance.provider_summaries] == ["110212", "130212"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_claim_of_the_published_example_posts_without_unexplained_money(name):
    for claim in parse_fixture(name)[0].claims:
        posting = post_claim_payment(claim, [])
        assert posting.totals.unexplained == 0
        assert posting.totals.paid + posting.totals.contractual == claim.total_charge
        assert posting.outcome.value == "paid"
