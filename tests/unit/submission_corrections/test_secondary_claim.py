"""The primary's 835 (claim.secondary_billing_ready) becomes the secondary's COB loops, line for line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.secondary_claim import (
    adjudication_as_json,
    adjudication_from_json,
    line_position,
    prior_payer_adjudication,
)
from services.submission.domain.submission_plan import line_control_numbers_for
from shared.events.remittance_events import AdjudicatedLine
from tests.unit.submission_corrections.corrected_claims import PCN, primary_paid

NEW_NUMBERS = line_control_numbers_for(PCN, 3, 2)


def test_lines_move_to_the_new_versions_numbers() -> None:
    adjudication = prior_payer_adjudication(primary_paid(), PCN, NEW_NUMBERS)
    assert [line.line_control_number for line in adjudication.lines] == NEW_NUMBERS
    assert [line.paid for line in adjudication.lines] == [Decimal("123.00"), Decimal("20.60")]
    assert adjudication.patient_liability == Decimal("38.00")
    assert adjudication.claim_control_number == "26331ABC0000001"


def test_a_line_of_another_claim_is_refused() -> None:
    event = primary_paid(lines=[AdjudicatedLine(line_control_number="OTHERCLAIM-1-1", paid=Decimal("1.00"),
                                                adjustments=[])])
    with pytest.raises(InvalidBillableClaim):
        prior_payer_adjudication(event, PCN, NEW_NUMBERS)


def test_a_line_past_the_claims_lines_is_refused() -> None:
    event = primary_paid(lines=[AdjudicatedLine(line_control_number=f"{PCN}-1-3", paid=Decimal("1.00"),
                                                adjustments=[])])
    with pytest.raises(InvalidBillableClaim):
        prior_payer_adjudication(event, PCN, NEW_NUMBERS)


def test_tertiary_billing_is_refused() -> None:
    with pytest.raises(InvalidBillableClaim):
        prior_payer_adjudication(primary_paid(next_payer_priority="tertiary"), PCN, NEW_NUMBERS)


@pytest.mark.parametrize(("number", "expected"), [
    (f"{PCN}-1-2", 2), (f"{PCN}-12-50", 50), (f"{PCN}-1-0", None), ("ABC-1-2", None), (f"{PCN}-x-2", None),
    (f"{PCN}2", None),
])
def test_line_position(number: str, expected: int | None) -> None:
    assert line_position(number, PCN) == expected


def test_stored_adjudication_reads_back_the_same() -> None:
    adjudication = prior_payer_adjudication(primary_paid(), PCN, NEW_NUMBERS)
    assert adjudication_from_json(adjudication_as_json(adjudication)) == adjudication
