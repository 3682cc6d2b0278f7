"""Reading claims out of hand-written 837P/837I samples."""

from __future__ import annotations

from decimal import Decimal

from tools.clearinghouse.claims import INSTITUTIONAL_VERSION, PROFESSIONAL_VERSION
from tools.clearinghouse.envelope_837 import read_interchange

from .testkit import read_fixture


def test_envelope_header_is_read() -> None:
    interchange = read_interchange(read_fixture("837p_simpay_two_claims.x12"))
    header = interchange.header
    assert (header.sender_id, header.receiver_id, header.control_number) == (
        "CLAIMLINE",
        "SIMCLEARING",
        "000000101",
    )
    assert header.usage_indicator == "T"
    [group] = interchange.groups
    assert (group.functional_id, group.control_number, group.version) == ("HC", "101", PROFESSIONAL_VERSION)
    [transaction_set] = group.transaction_sets
    assert (transaction_set.control_number, transaction_set.batch_id) == ("0001", "BATCH101")
    assert (transaction_set.submitter_name, transaction_set.submitter_id) == (
        "CLAIMLINE BILLING",
        "CLAIMLINE",
    )


def test_professional_claim_fields() -> None:
    first, second = read_interchange(read_fixture("837p_simpay_two_claims.x12")).claims
    assert first.patient_control_number == "PCN1001"
    assert first.total_charge == Decimal("235.00") == first.lines_total
    assert (first.facility_code, first.frequency_code) == ("11", "1")
    assert (first.payer_id, first.payer_name) == ("SIMPAY", "SIMULATED PAYING PAYER")
    assert first.claim_filing_indicator == "CI"
    assert first.prior_authorization == "AUTH5551"
    assert first.original_reference is None
    assert (first.billing_provider.npi, first.billing_provider.tax_id) == ("1234567893", "371234567")
    assert first.patient_is_subscriber and first.member_id == "MEM123456"
    assert second.prior_authorization is None


def test_professional_lines_keep_code_modifiers_charge_units_date_and_control_number() -> None:
    claim = read_interchange(read_fixture("837p_simpay_two_claims.x12")).claims[0]
    described = [
        (x.line_number, x.qualifier, x.procedure_code, x.modifiers, x.charge, x.units, x.service_date,
         x.line_control_number)
        for x in claim.lines
    ]  # fmt: skip
    assert described == [
        (1, "HC", "99213", (), Decimal("100.00"), Decimal("1"), "20260110", "PCN1001L1"),
        (2, "HC", "80053", (), Decimal("85.00"), Decimal("1"), "20260110", "PCN1001L2"),
        (3, "HC", "71046", ("26",), Decimal("50.00"), Decimal("1"), "20260110", "PCN1001L3"),
    ]


def test_each_subscriber_loop_carries_its_own_payer() -> None:
    claims = read_interchange(read_fixture("837p_mixed_payers.x12")).claims
    assert [c.payer_id for c in claims] == ["SIMDNY", "SIMREJ", "NOSUCHPAYER", "SIMACK"]
    assert claims[0].lines[1].units == Decimal("2")


def test_patient_loop_names_the_patient_and_keeps_the_subscriber() -> None:
    claim = read_interchange(read_fixture("837p_mixed_payers.x12")).claims[1]
    assert not claim.patient_is_subscriber
    assert claim.patient.first == "WILLIAM" and claim.subscriber.first == "MARTHA"
    assert claim.member_id == "MEM300001"


def test_frequency_codes_and_original_reference() -> None:
    replacement, void = read_interchange(read_fixture("837p_simpay_corrections.x12")).claims
    assert (replacement.frequency_code, replacement.original_reference) == ("7", "REPLACEDCCN")
    assert (void.frequency_code, void.original_reference, void.prior_authorization) == (
        "8",
        "VOIDEDCCN",
        "AUTH5551",
    )


def test_institutional_claim_reads_sv2_lines() -> None:
    interchange = read_interchange(read_fixture("837i_simpay_outpatient.x12"))
    assert interchange.groups[0].version == INSTITUTIONAL_VERSION
    [claim] = interchange.claims
    assert claim.institutional and claim.facility_code == "13"
    assert [(x.revenue_code, x.qualifier, x.procedure_code, x.charge) for x in claim.lines] == [
        ("0450", "HC", "99284", Decimal("300.00")),
        ("0320", "HC", "71046", Decimal("150.00")),
    ]


def test_other_payer_loops_are_not_taken_for_the_claims_own() -> None:
    text = read_fixture("837p_simpay_two_claims.x12").replace(
        "HI*ABK:M545~\n",
        "HI*ABK:M545~\nSBR*S*18*******CI~\nOI***Y***Y~\nNM1*IL*1*DOE*JANE****MI*OTHER1~\n"
        "NM1*PR*2*OTHER PAYER*****PI*OTHERPAYER~\nREF*G1*OTHERAUTH~\n",
    )
    claim = read_interchange(text.replace("SE*39*0001", "SE*44*0001")).claims[1]
    assert claim.payer_id == "SIMPAY"
    assert claim.prior_authorization is None
    assert claim.member_id == "MEM123456"


def test_service_dates_span_the_lines() -> None:
    text = read_fixture("837p_simpay_two_claims.x12").replace(
        "DTP*472*D8*20260110~\nREF*6R*PCN1001L3", "DTP*472*D8*20260111~\nREF*6R*PCN1001L3"
    )
    claim = read_interchange(text).claims[0]
    assert claim.service_dates == ("20260110", "20260111")
