"""A CLP02=22 reversal negates the earlier posting of the same payer claim control number exactly."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest

from services.remittance.domain import (
    BilledLine,
    ClaimOutcome,
    ReversalMismatchError,
    post_claim_payment,
    reverse_posting,
)

from .fixture_files import parse_fixture

BILLED = [BilledLine("PCN3001-1", "99214", (), Decimal(1), Decimal(200), dt.date(2024, 1, 15))]


@pytest.fixture
def original():
    return post_claim_payment(parse_fixture("reversal_original_payment.835")[0].claims[0], BILLED)


@pytest.fixture
def reversal_and_correction():
    return parse_fixture("reversal_and_correction.835")[0].claims


def _net(*postings):
    net: Counter = Counter()
    for posting in postings:
        for entry in posting.entries:
            net[(entry.kind, entry.line_control_number, entry.group_code, entry.reason_code)] += entry.amount
    return {key: amount for key, amount in net.items() if amount}


def test_reversal_negates_the_original_posting(original, reversal_and_correction):
    reversal, _ = reversal_and_correction
    reversed_posting = reverse_posting(original, reversal)
    assert reversed_posting.outcome is ClaimOutcome.REVERSED
    assert reversed_posting.entries == tuple(e.negated() for e in original.entries)
    assert reversed_posting.totals == original.totals.negated()
    assert _net(original, reversed_posting) == {}


def test_reversal_posted_from_its_own_amounts_matches_the_negation(original, reversal_and_correction):
    reversal, _ = reversal_and_correction
    from_835 = post_claim_payment(reversal, BILLED)
    assert from_835.outcome is ClaimOutcome.REVERSED
    assert from_835.entries == reverse_posting(original, reversal).entries
    assert from_835.totals.unexplained == 0


def test_original_reversal_and_correction_net_to_the_correction(original, reversal_and_correction):
    reversal, correction = reversal_and_correction
    corrected = post_claim_payment(correction, BILLED)
    assert corrected.outcome is ClaimOutcome.PAID and corrected.totals.paid == 160
    assert _net(original, reverse_posting(original, reversal), corrected) == _net(corrected)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status_code": "1"}, "CLP02 must be 22"),
        ({"payer_claim_control_number": "ACMECCN9999"}, "does not match the original"),
        ({"paid": Decimal("-140")}, "does not negate"),
        ({"total_charge": Decimal("200")}, "does not negate"),
    ],
)
def test_a_reversal_that_does_not_mirror_the_original_is_refused(
    original, reversal_and_correction, change, reason
):
    reversal, _ = reversal_and_correction
    with pytest.raises(ReversalMismatchError, match=reason):
        reverse_posting(original, replace(reversal, **change))
