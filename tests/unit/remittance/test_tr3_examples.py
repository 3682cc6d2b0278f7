"""X12's published 835 examples (005010X221A1 section 3) parse, and every loop and segment they hold is read.

The published tertiary example writes SVC01 without a procedure code; it is refused naming the segment
and read once the composite is restored (what its amounts show the example meant).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.remittance.domain import (
    Adjustment,
    EraParseError,
    ProcedureCode,
    ProviderAdjustment,
    RemarkCode,
    parse_835,
)
from services.remittance.domain.era_model import ParseWarning

from .fixture_files import fixture_text, parse_fixture

D = Decimal
TERTIARY = "tr3_example_tertiary_payment.835"
PUBLISHED_SVC, RESTORED_SVC = "SVC*HC*24599.00*1766.50*187.50**1~", "SVC*HC>24599*1766.50*187.50**1~"


def restored_tertiary() -> str:
    """The tertiary example with SVC01 written as the qualifier:code composite its amounts need."""
    text = fixture_text(TERTIARY)
    assert PUBLISHED_SVC in text
    return text.replace(PUBLISHED_SVC, RESTORED_SVC)


def test_managed_care_header_payer_payee_and_the_unreadable_bpr16():
    (era,) = parse_fixture("tr3_example_managed_care.835")
    payment = era.payment
    assert (payment.handling_code, payment.total_paid, payment.credit_debit, payment.method, payment.format_code) \
        == ("I", D("945.00"), "C", "ACH", "CCP")
    assert payment.payment_date is None  # BPR16 20002316 has no 23rd month: not guessed
    assert era.warnings == [ParseWarning(3, "BPR", "BPR16", "is not a calendar date")]
    assert str(era.warnings[0]) == "BPR16 is not a calendar date (segment 3 BPR)"
    assert era.production_date == era.adjudication_date == dt.date(2002, 3, 14)
    assert (era.trace.trace_type, era.trace.trace_number, era.trace.originating_company_id) == \
        ("1", "7170066655", "1935665544")
    assert era.payer.name == "RUSHMORE LIFE" and era.payer.contacts == []
    assert era.payer.address is not None
    assert (era.payer.address.lines, era.payer.address.city, era.payer.address.state,
            era.payer.address.postal_code) == (("10 SOUTH AVENUE",), "RAPID CITY", "SD", "55111")
    assert (era.payee.name, era.payee.id_qualifier, era.payee.identifier, era.payee.reference("TJ")) == \
        ("ACME MEDICAL CENTER", "XX", "5544667733", "777667755")
    assert [s.header_number for s in era.provider_summaries] == ["1"]


def test_managed_care_claims_with_claim_and_line_adjustments():
    first, second = parse_fixture("tr3_example_managed_care.835")[0].claims
    assert (first.patient_control_number, first.status_code, first.total_charge, first.paid,
            first.patient_responsibility, first.filing_indicator, first.payer_claim_control_number) == \
        ("5554555444", "1", D("800"), D("450"), D("300"), "12", "94060555410000")
    assert first.adjustments == [Adjustment("CO", "A2", D("50"))]
    patient = first.party("QC")
    assert patient is not None
    assert (patient.entity_type, patient.id_qualifier, patient.identifier, patient.last_name) == \
        ("1", "MI", "33344555510", "BUDD")
    (line,) = first.lines
    assert (line.procedure, line.charge, line.paid, line.units) == (ProcedureCode("HC", "99211"), 800, 500, 1)
    assert line.dates == {"150": dt.date(2002, 3, 1), "151": dt.date(2002, 3, 4)}
    assert line.service_date == dt.date(2002, 3, 1)
    assert line.adjustments == [Adjustment("PR", "1", D("300"))]
    assert (second.patient_control_number, second.paid, second.patient_responsibility) == \
        ("8765432112", D("495"), D("600"))
    assert second.adjustments == [Adjustment("CO", "A2", D("55"))]
    assert second.lines[0].adjustments == [Adjustment("PR", "1", D("600")), Adjustment("CO", "45", D("50"))]


def test_medicare_part_a_provider_summaries_inpatient_detail_and_plb():
    (era,) = parse_fixture("tr3_example_medicare_part_a.835")
    assert (era.payment.handling_code, era.payment.total_paid, era.payment.format_code, era.payment.payment_date) \
        == ("C", D("150000"), "CTX", dt.date(2002, 9, 13))
    assert era.warnings == [] and era.production_date == dt.date(2002, 9, 16)
    assert (era.trace.trace_number, era.trace.originating_company_id) == ("12345", "1512345678")
    assert era.payer.reference("2U") == "999" and era.payee.identifier == "6543210903"
    first_summary, second_summary = era.provider_summaries
    assert first_summary.header_number == "110212"
    assert first_summary.provider_summary == (
        "6543210903", "11", "20021231", "1", "211366.97", "", "", "", "138018.40", "", "73348.57")
    assert first_summary.supplemental_summary == ("2178.45", "1919.71", "", "56.82", "197.69", "4.23")
    assert (second_summary.header_number, second_summary.supplemental_summary) == ("130212", None)
    inpatient, outpatient = era.claims
    assert (inpatient.header_number, inpatient.filing_indicator, inpatient.facility_code,
            inpatient.frequency_code, inpatient.payer_claim_control_number) == \
        ("110212", "MA", "11", "1", "1999999444444")
    assert inpatient.adjustments == [Adjustment("CO", "45", D("73348.57"))]
    assert inpatient.party("QC") is not None and inpatient.party("QC").id_qualifier == "HN"
    assert inpatient.inpatient_adjudication == ("0", "", "", "138018.40")
    assert inpatient.dates == {"232": dt.date(2002, 8, 16), "233": dt.date(2002, 8, 24)}
    assert inpatient.quantities == {"CA": D("8")} and inpatient.lines == []
    assert (outpatient.header_number, outpatient.filing_indicator, outpatient.paid) == \
        ("130212", "MB", D("11980.33"))
    assert outpatient.outpatient_adjudication == ("", "", "MA02")
    assert outpatient.remark_codes == [RemarkCode("HE", "MA02")]
    assert era.provider_adjustments == [
        ProviderAdjustment(28, "6543210903", dt.date(2002, 12, 31), "CV", "CP", D("-1.27"))]


def test_cob_contractual_adjustment_secondary_claim_with_a_negative_adjustment():
    (era,) = parse_fixture("tr3_example_cob_contractual_adjustment.835")
    assert (era.payment.method, era.payment.total_paid, era.payment.payment_date) == \
        ("CHK", D("34"), dt.date(2005, 3, 18))
    assert [(r.qualifier, r.value) for r in era.references] == [("EV", "030240928")]
    assert era.payee.address is not None and era.payee.address.city == "SUNSHINE"
    assert (era.payee.id_qualifier, era.payee.reference("PQ")) == ("FI", "11861")
    (claim,) = era.claims
    assert (claim.patient_control_number, claim.status_code, claim.total_charge, claim.paid) == \
        ("0001000055", "2", D("541"), D("34"))
    rendering = claim.party("82")
    assert rendering is not None and (rendering.entity_type, rendering.id_qualifier, rendering.identifier) == \
        ("2", "BS", "34426")
    (line,) = claim.lines
    assert (line.procedure, line.charge, line.paid, line.units) == (ProcedureCode("HC", "55669"), 541, 34, 1)
    assert line.dates == {"472": dt.date(2005, 2, 2)}
    assert line.adjustments == [Adjustment("OA", "23", D("516")), Adjustment("OA", "94", D("-9"))]
    assert [(r.qualifier, r.value) for r in line.references] == [("1B", "44280")]
    assert line.amounts == {"AU": D("550")} and line.control_number is None


def test_secondary_payment_claim_without_lines_and_modified_lines():
    (era,) = parse_fixture("tr3_example_secondary_payment.835")
    assert [s.header_number for s in era.provider_summaries] == ["1", "2"]
    without_lines, with_lines = era.claims
    assert (without_lines.patient_control_number, without_lines.status_code, without_lines.lines) == \
        ("L0004828311", "2", [])
    assert without_lines.adjustments == [Adjustment("OA", "23", D("9411.64"))]
    assert without_lines.amounts == {"AU": D("912")}
    assert without_lines.dates == {"232": dt.date(2005, 3, 3), "233": dt.date(2005, 3, 4)}
    assert (with_lines.header_number, with_lines.patient_responsibility) == ("2", D("220"))
    professional, surgical = with_lines.lines
    assert professional.procedure == ProcedureCode("HC", "12345", ("26",))
    assert professional.adjustments == [Adjustment("OA", "23", D("136.50"))]
    assert (surgical.procedure, surgical.revenue_code, surgical.units) == \
        (ProcedureCode("HC", "66543", ("26",)), "220", 1)
    assert surgical.adjustments == [
        Adjustment("PR", "1", D("150")), Adjustment("PR", "2", D("70")), Adjustment("CO", "42", D("85"))]
    assert surgical.amounts == {"AU": D("500")}


def test_published_tertiary_example_is_refused_at_its_svc():
    with pytest.raises(EraParseError, match="SVC01 must hold qualifier and code") as refused:
        parse_fixture(TERTIARY)
    assert (refused.value.segment_index, refused.value.segment_id) == (19, "SVC")


def test_restored_tertiary_example_reads_the_line_its_amounts_describe():
    (era,) = parse_835(restored_tertiary())
    (claim,) = era.claims
    assert (claim.status_code, claim.total_charge, claim.paid, claim.payer_claim_control_number) == \
        ("3", D("1766.50"), D("187.50"), "50580155533")
    (line,) = claim.lines
    assert (line.procedure, line.charge, line.paid, line.units) == \
        (ProcedureCode("HC", "24599"), D("1766.50"), D("187.50"), 1)
    assert line.adjustments == [Adjustment("OA", "23", D("1579"))] and line.amounts == {"AU": D("1700")}


def test_bpr16_missing_is_a_warning_when_the_production_date_dates_the_era():
    # LinuxForHealth's transcription of the COB examples has one separator fewer before the date.
    text = fixture_text("tr3_example_cob_contractual_adjustment.835").replace(
        "CHK************20050318", "CHK***********20050318")
    (era,) = parse_835(text)
    assert era.payment.payment_date is None and era.adjudication_date == dt.date(2005, 3, 18)
    assert era.warnings == [ParseWarning(3, "BPR", "BPR16", "is absent")]


@pytest.mark.parametrize("bpr16", ["20002316", "2002031", ""])
def test_an_era_with_no_readable_date_at_all_is_refused(bpr16):
    text = fixture_text("tr3_example_managed_care.835").replace("DTM*405*20020314~\n", "")
    text = text.replace("*20002316~", f"*{bpr16}~").replace("SE*26*", "SE*25*")
    with pytest.raises(EraParseError, match="no readable BPR16 and no DTM\\*405") as refused:
        parse_835(text)
    assert (refused.value.segment_index, refused.value.segment_id) == (3, "BPR")


def test_a_readable_bpr16_raises_no_warning():
    text = fixture_text("tr3_example_managed_care.835").replace("*20002316~", "*20020316~")
    (era,) = parse_835(text)
    assert era.warnings == [] and era.payment.payment_date == era.adjudication_date == dt.date(2002, 3, 16)
