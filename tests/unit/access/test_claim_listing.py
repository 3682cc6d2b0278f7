"""The claim list's cursor and filters, and the balances intake keeps from remittance postings."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from services.intake.domain.balances import remittance_change
from services.intake.domain.claim_listing import (
    ClaimFilters,
    InvalidCursor,
    InvalidFilter,
    Position,
    decode_cursor,
    encode_cursor,
)
from shared.events.claim_events import PostedAdjustment, RemittancePosted


def test_a_cursor_round_trips_to_the_microsecond():
    position = Position(dt.datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC), str(uuid.uuid4()))
    cursor = encode_cursor(position)
    assert decode_cursor(cursor) == position
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor


@pytest.mark.parametrize("cursor", [
    "", "not-base64!!", base64.urlsafe_b64encode(b"{}").decode(), base64.urlsafe_b64encode(b"[1,2]").decode(),
    base64.urlsafe_b64encode(b'["2025-01-01T00:00:00+00:00","not-a-uuid"]').decode(),
    base64.urlsafe_b64encode(f'["2025-01-01T00:00:00","{uuid.uuid4()}"]'.encode()).decode(),  # no offset
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
])
def test_a_cursor_we_did_not_hand_out_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor)


def test_a_date_range_must_not_be_reversed():
    ClaimFilters(date_of_service_from=dt.date(2025, 1, 1), date_of_service_to=dt.date(2025, 1, 1))
    with pytest.raises(InvalidFilter):
        ClaimFilters(date_of_service_from=dt.date(2025, 1, 2), date_of_service_to=dt.date(2025, 1, 1))


def posting(status: str, billed: str, paid: str, patient: str, *adjustments: tuple[str, str, str]) -> RemittancePosted:
    return RemittancePosted(
        era_id="era-1", claim_status=status, payer_id="SIMPAY", payer_claim_control_number="PCN1",
        billed=Decimal(billed), paid=Decimal(paid), patient_responsibility=Decimal(patient),
        adjustments=[PostedAdjustment(line_control_number=None, group_code=group, reason_code=reason,
                                      amount=Decimal(amount)) for group, reason, amount in adjustments],
        remark_codes=[])


def test_a_payment_splits_the_charge_into_paid_written_off_and_patient_owed():
    change = remittance_change(posting("paid", "250.00", "150.00", "30.00",
                                       ("CO", "45", "70.00"), ("PR", "1", "20.00"), ("PR", "2", "10.00")))
    assert (change.billed, change.paid, change.adjusted, change.patient_responsibility) == (
        Decimal("250.00"), Decimal("150.00"), Decimal("70.00"), Decimal("30.00"))
    assert change.billed - change.paid - change.adjusted == change.patient_responsibility  # what is still owed


def test_a_denial_writes_nothing_off_to_the_patient():
    change = remittance_change(posting("denied", "100.00", "0", "0", ("CO", "50", "100.00")))
    assert (change.paid, change.adjusted, change.patient_responsibility) == (Decimal("0"), Decimal("100"), Decimal("0"))


def test_a_reversal_negates_the_amounts_and_keeps_the_billed_charge():
    original = remittance_change(posting("paid", "250.00", "150.00", "30.00", ("CO", "45", "70.00"),
                                         ("PR", "1", "30.00")))
    reversal = remittance_change(posting("reversed", "-250.00", "-150.00", "-30.00", ("CO", "45", "-70.00"),
                                         ("PR", "1", "-30.00")))
    assert reversal.billed is None
    assert original.paid + reversal.paid == original.adjusted + reversal.adjusted == 0
    assert original.patient_responsibility + reversal.patient_responsibility == 0
