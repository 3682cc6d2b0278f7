"""parse_835 on the sample files: what it captures, in which shape, whatever the delimiters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.remittance.domain import (
    Adjustment,
    ProcedureCode,
    ProviderAdjustment,
    RemarkCode,
    parse_835,
)

from .era_file_builder import build_835
from .fixture_files import WELL_FORMED, fixture_text, parse_fixture


@pytest.mark.parametrize(
    ("name", "transactions", "claims", "total_paid"),
    [
        ("payment_deductible_coinsurance_copay.835", ["0001"], [1], ["171"]),
        ("denial_not_medically_necessary.835", ["0001"], [1], ["0"]),
        ("reversal_original_payment.835", ["0001"], [1], ["144"]),
        ("reversal_and_correction.835", ["0001"], [2], ["16"]),
        ("provider_adjustment_recoupment_interest.835", ["0001"], [1], ["384.25"]),
        ("payer_changed_modifiers_and_code.835", ["0001"], [1], ["250.2"]),
        ("multiple_transactions.835", ["0001", "0002", "0003"], [1, 1, 1], ["80", "55", "40"]),
        ("unbalanced.835", ["0001"], [2], ["175"]),
        ("pipe_delimiters_newline_terminator.835", ["0001"], [1], ["75"]),
        ("single_line_no_breaks.835", ["0001"], [1], ["75"]),
        ("institutional_crossover.835", ["0001"], [1], ["7800"]),
        ("tr3_example_managed_care.835", ["112233"], [2], ["945"]),
        ("tr3_example_medicare_part_a.835", ["1234"], [2], ["150000"]),
        ("tr3_example_cob_contractual_adjustment.835", ["0001"], [1], ["34"]),
        ("tr3_example_secondary_payment.835", ["1234"], [2], ["1222"]),
    ],
)
def test_each_fixture_parses_into_its_transactions(name, transactions, claims, total_paid):
    remittances = parse_fixture(name)
    assert [r.transaction_control_number for r in remittances] == transactions
    assert [len(r.claims) for r in remittances] == claims
    assert [r.payment.total_paid for r in remittances] == [Decimal(a) for a in total_paid]


def test_every_well_formed_fixture_is_in_the_table_above():
    assert len(WELL_FORMED) == 15


def test_header_payer_and_payee():
    (era,) = parse_fixture("payment_deductible_coinsurance_copay.835")
    assert (era.payment.handling_code, era.payment.method, era.payment.payment_date) == (
        "I",
        "ACH",
        dt.date(2024, 3, 15),
    )
    assert (era.trace.trace_number, era.trace.originating_company_id) == ("EFT0000101", "1431234567")
    assert era.production_date == dt.date(2024, 3, 14)
    assert (era.interchange_control_number, era.group_control_number) == ("000000101", "101")
    assert era.payer.name == "ACME HEALTH PLAN" and era.payer.reference("2U") == "ACME01"
    assert era.payer.address is not None and era.payer.address.postal_code == "64108"
    assert era.payer.contacts[0].function_code == "BL"
    assert era.payer.contacts[0].numbers == (("TE", "8005551212"), ("EM", "EDI@ACMEHEALTH.EXAMPLE"))
    assert (era.payee.id_qualifier, era.payee.identifier, era.payee.reference("TJ")) == (
        "XX",
        "1234567893",
        "431234567",
    )
    summary = era.provider_summaries[0]
    assert summary.header_number == "1" and summary.provider_summary == (
        "1234567893",
        "11",
        "20241231",
        "1",
        "450",
    )


def test_claim_and_service_lines():
    (era,) = parse_fixture("payment_deductible_coinsurance_copay.835")
    (claim,) = era.claims
    assert (claim.patient_control_number, claim.status_code, claim.payer_claim_control_number) == (
        "PCN1001",
        "1",
        "ACMECCN1001",
    )
    assert (claim.total_charge, claim.paid, claim.patient_responsibility) == (450, 171, 109)
    assert (claim.filing_indicator, claim.facility_code, claim.frequency_code) == ("12", "11", "1")
    assert claim.header_number == "1" and claim.segment_index == 17
    assert [p.entity_code for p in claim.parties] == ["QC", "82"]
    assert claim.party("82").identifier == "1987654328"
    assert claim.dates == {"050": dt.date(2024, 3, 1)}
    first, second, third = claim.lines
    assert first.procedure == ProcedureCode("HC", "99213", ())
    assert (first.charge, first.paid, first.units, first.control_number) == (150, 75, 1, "PCN1001-1")
    assert first.adjustments == [Adjustment("CO", "45", Decimal("50")), Adjustment("PR", "3", Decimal("25"))]
    assert first.allowed_amount == Decimal("100") and first.service_date == dt.date(2024, 2, 20)
    assert second.remark_codes == [RemarkCode("HE", "N130")]
    assert third.segment_index == 34


def test_cas_with_several_triples_and_quantities():
    text = fixture_text("payment_deductible_coinsurance_copay.835").replace(
        "CAS*CO*45*50~\nCAS*PR*3*25~", "CAS*CO*45*40*1*253*10~\nCAS*PR*3*25~"
    )
    line = parse_835(text)[0].claims[0].lines[0]
    assert line.adjustments[:2] == [
        Adjustment("CO", "45", Decimal("40"), Decimal("1")),
        Adjustment("CO", "253", Decimal("10")),
    ]


def test_changed_code_keeps_the_submitted_composite():
    lines = parse_fixture("payer_changed_modifiers_and_code.835")[0].claims[0].lines
    assert lines[0].procedure == ProcedureCode("HC", "99213")
    assert lines[0].submitted_procedure == ProcedureCode("HC", "99214", ("25",))
    assert lines[2].procedure == ProcedureCode("HC", "97597", ("XS",))
    assert lines[1].submitted_procedure is None and lines[1].control_number is None


def test_provider_level_adjustments():
    (era,) = parse_fixture("provider_adjustment_recoupment_interest.835")
    assert era.provider_adjustments == [
        ProviderAdjustment(24, "1234567893", dt.date(2024, 12, 31), "WO", "ACMECCN0977", Decimal("120")),
        ProviderAdjustment(24, "1234567893", dt.date(2024, 12, 31), "L6", "ACMECCN4001", Decimal("-4.25")),
    ]


def test_reversal_amounts_are_negative():
    reversal, correction = parse_fixture("reversal_and_correction.835")[0].claims
    assert (reversal.status_code, reversal.total_charge, reversal.paid, reversal.lines[0].units) == (
        "22",
        -200,
        -144,
        -1,
    )
    assert correction.payer_claim_control_number == "ACMECCN3002"


def test_institutional_claim_level_detail():
    claim = parse_fixture("institutional_crossover.835")[0].claims[0]
    assert claim.lines == [] and claim.status_code == "19"
    assert claim.remark_codes == [RemarkCode("HE", "MA01")]
    assert claim.dates == {"232": dt.date(2024, 2, 1), "233": dt.date(2024, 2, 5)}
    assert claim.quantities == {"CA": Decimal("4")}
    assert claim.party("TT").identifier == "SUPP01"


def test_denial_remarks_from_moa_and_lq():
    claim = parse_fixture("denial_not_medically_necessary.835")[0].claims[0]
    assert claim.remark_codes == [RemarkCode("HE", "MA130")]
    assert claim.lines[0].remark_codes == [RemarkCode("HE", "N115")]
    assert claim.lines[0].procedure.modifiers == ("GP",) and claim.lines[0].units == 4


def test_multiple_groups_carry_their_own_envelope():
    remittances = parse_fixture("multiple_transactions.835")
    assert [r.group_control_number for r in remittances] == ["107", "107", "108"]
    assert [r.claims[0].patient_control_number for r in remittances] == ["PCN6001", "PCN6002", "PCN6003"]


@pytest.mark.parametrize(
    "variant",
    [
        lambda text: text,
        lambda text: text.replace("\n", "\r\n"),  # CRLF with a ~ terminator
        lambda text: text.replace("~", "~\n"),  # one segment per line
    ],
)
def test_delimiters_and_line_breaks_do_not_change_the_result(variant):
    pipe = parse_fixture("pipe_delimiters_newline_terminator.835")[0]
    tilde = parse_835(variant(fixture_text("single_line_no_breaks.835")))[0]
    assert pipe.claims == tilde.claims
    assert pipe.claims[0].lines[0].procedure == ProcedureCode("HC", "99213", ("25",))


def test_newline_terminator_with_crlf_line_ends():
    text = fixture_text("pipe_delimiters_newline_terminator.835").replace("\n", "\r\n")
    assert parse_835(text)[0].claims[0].lines[0].control_number == "PCN9001-1"


def test_generated_file_parses_every_claim():
    (era,) = parse_835(build_835(50))
    assert len(era.claims) == 50 and all(len(c.lines) == 2 for c in era.claims)


def test_service_units_default_to_one():
    text = fixture_text("payment_deductible_coinsurance_copay.835").replace(
        "SVC*HC:99213*150*75**1~", "SVC*HC:99213*150*75~"
    )
    assert parse_835(text)[0].claims[0].lines[0].units == 1
