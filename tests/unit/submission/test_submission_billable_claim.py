"""BillableClaim and InterchangeHeader refuse what an 837P cannot carry; X12 value formatting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from claim_corpus import interchange_header, npi_with_check_digit

from services.submission.domain import (
    BillableClaim,
    ClaimFrequency,
    ClaimNotRepresentable,
    InvalidBillableClaim,
    InvalidInterchangeHeader,
)
from services.submission.domain.x12_values import x12_amount, x12_decimal, x12_identifier, x12_text
from shared.contracts.encounter import EXAMPLE, Encounter
from shared.contracts.npi import is_valid_npi

ENCOUNTER = Encounter.model_validate(EXAMPLE)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"frequency_code": "2"}, "frequency_code must be"),
        ({"frequency_code": "1", "payer_claim_control_number": "X1"}, "original claim"),
        ({"frequency_code": "7"}, "needs the payer_claim_control_number"),
        ({"frequency_code": "8"}, "needs the payer_claim_control_number"),
        (
            {"payer_claim_control_number": "A" * 51, "frequency_code": "7"},
            "payer_claim_control_number must be",
        ),
        ({"patient_control_number": "P" * 21}, "patient_control_number must be 1-20"),
        ({"patient_control_number": ""}, "patient_control_number must be 1-20"),
        ({"patient_control_number": "PCN*1"}, "patient_control_number holds characters"),
        ({"patient_control_number": "PCN:1"}, "patient_control_number holds characters"),
        ({"patient_control_number": " PCN1"}, "patient_control_number holds characters"),
        ({"line_control_numbers": ["L1"]}, "1 entries for 2 service lines"),
        ({"line_control_numbers": ["L1", "L1"]}, "unique"),
        ({"line_control_numbers": ["L1", "L~2"]}, r"line_control_numbers\[1\] holds characters"),
        ({"encounter": ENCOUNTER.model_copy(update={"claim_type": "institutional"})}, "only professional"),
    ],
)
def test_billable_claim_refuses(changes: dict, message: str) -> None:
    values = {
        "patient_control_number": "PCN1",
        "frequency_code": "1",
        "encounter": ENCOUNTER,
        "line_control_numbers": ["L1", "L2"],
    }
    with pytest.raises(InvalidBillableClaim, match=message):
        BillableClaim(**{**values, **changes})


@pytest.mark.parametrize(
    ("frequency", "payer_ccn"), [("1", None), ("7", "PAYER-1"), ("8", "PAYER-1"), (ClaimFrequency.VOID, "P")]
)
def test_billable_claim_accepts_and_coerces(frequency, payer_ccn) -> None:
    claim = BillableClaim("PCN1", frequency, ENCOUNTER, ["L1", "L2"], payer_ccn)
    assert isinstance(claim.frequency_code, ClaimFrequency)
    assert claim.line_control_numbers == ("L1", "L2")
    assert claim.total_charge == Decimal("227.00")


def test_errors_never_echo_patient_data() -> None:
    with pytest.raises(InvalidBillableClaim) as raised:
        BillableClaim("Maria*Lopez", "1", ENCOUNTER, ["L1", "L2"])
    assert "Maria" not in str(raised.value) and "Lopez" not in str(raised.value)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"interchange_control_number": 0}, "interchange_control_number"),
        ({"group_control_number": 1_000_000_000}, "group_control_number"),
        ({"transaction_set_control_number": True}, "transaction_set_control_number"),
        ({"usage_indicator": "X"}, "usage_indicator"),
        ({"contact_phone": "555-555-0100"}, "contact_phone"),
        ({"sender_qualifier": "Z"}, "sender_qualifier"),
        ({"sender_id": "A"}, "sender_id must be 2-15"),
        ({"receiver_id": "R" * 16}, "receiver_id must be 2-15"),
        ({"receiver_id": "RECV^1"}, "receiver_id holds characters"),
        ({"sender_name": "~~~"}, "sender_name has no characters"),
        ({"batch_reference": "B" * 51}, "batch_reference"),
    ],
)
def test_interchange_header_refuses(overrides: dict, message: str) -> None:
    with pytest.raises(InvalidInterchangeHeader, match=message):
        interchange_header(**overrides)


def test_interchange_header_texts() -> None:
    header = interchange_header(7, created_at=dt.datetime(2026, 1, 2, 3, 4))
    assert header.transaction_set_control_text == "0007"
    assert header.batch_reference_text == "0007"
    assert interchange_header(123456, batch_reference="B-1").batch_reference_text == "B-1"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("185.00"), "185"),
        (Decimal("42.50"), "42.5"),
        (Decimal("0.01"), "0.01"),
        (Decimal("1234567.89"), "1234567.89"),
        (Decimal("100"), "100"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.005"), "0.01"),  # rounded half-up to cents
        (Decimal("0"), "0"),
    ],
)
def test_amounts_are_plain_decimals_without_trailing_zeros(amount: Decimal, text: str) -> None:
    assert x12_amount(amount) == text


@pytest.mark.parametrize(
    ("quantity", "text"),
    [(Decimal("1"), "1"), (Decimal("1.500"), "1.5"), (Decimal("0.250"), "0.25"), (Decimal("12"), "12")],
)
def test_quantities(quantity: Decimal, text: str) -> None:
    assert x12_decimal(quantity) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("José O'Brien", "JOSE O'BRIEN"),
        ("12 Oak Ave, Apt #4", "12 OAK AVE, APT 4"),
        ("Smith*Jones~", "SMITH JONES"),
        ("  Müller   Straße ", "MULLER STRAE"),
        ("A" * 70, "A" * 60),
    ],
)
def test_free_text_folding(value: str, text: str) -> None:
    assert x12_text(value, "field", 60) == text


@pytest.mark.parametrize("value", ["~*:^", "北京", "   "])
def test_free_text_with_nothing_printable_is_refused(value: str) -> None:
    with pytest.raises(ClaimNotRepresentable, match="field has no characters"):
        x12_text(value, "field", 60)


@pytest.mark.parametrize("value", ["AB*1", "AB:1", "AB^1", "AB~1", "ÄB1", "AB\n1", "AB1 "])
def test_identifiers_are_never_rewritten(value: str) -> None:
    with pytest.raises(ClaimNotRepresentable):
        x12_identifier(value, "member_id", 80)


def test_corpus_npis_pass_the_check_digit() -> None:
    assert npi_with_check_digit("123456789") == "1234567893"
    assert npi_with_check_digit("198765432") == "1987654328"
    assert all(is_valid_npi(npi_with_check_digit(f"1{n:08d}")) for n in range(50))
