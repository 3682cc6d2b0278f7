"""X12 837P -> one Encounter per CLM: parties, lines, other coverages; errors at segment positions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from services.intake.adapters.x12_837 import ClaimReading, X12DocumentUnreadable, read_837p
from services.intake.domain.validation import encounter_violations

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "837p_inbound"
PIPES = "three_claims_pipe_delimited.x12"
PHI = ["LOPEZ", "MARIA", "19840309", "XJH123456701", "OKAFOR", "BENJAMIN", "20170521", "410 ELM", "BCB998877001"]


def fixture_text(name: str = PIPES) -> str:
    with (FIXTURES / name).open(newline="") as file:  # keep the CRLF line ends as they are
        return file.read()


def segments_of(text: str) -> list[str]:
    return [s.strip("\r\n") for s in text.split("~") if s.strip()]


def edited(change: Callable[[list[str]], None], text: str | None = None) -> str:
    """The fixture with its segment list changed and SE01 recounted."""
    segments = segments_of(text or fixture_text())
    change(segments)
    start = next(i for i, s in enumerate(segments) if s.startswith("ST|"))
    end = next(i for i, s in enumerate(segments) if s.startswith("SE|"))
    segments[end] = f"SE|{end - start + 1}|" + segments[end].split("|")[2]
    return "".join(s + "~\n" for s in segments)


def replace(old: str, new: str) -> Callable[[list[str]], None]:
    def change(segments: list[str]) -> None:
        segments[segments.index(old)] = new
    return change


def by_id(readings: list[ClaimReading]) -> dict[str, ClaimReading]:
    return {reading.external_id: reading for reading in readings}


def assert_no_phi(readings: list[ClaimReading]) -> None:
    text = json.dumps([[*r.errors, *r.warnings] for r in readings])
    assert not [value for value in PHI if value in text], text


def test_three_claims_under_two_subscribers() -> None:
    readings = read_837p(fixture_text())
    assert [(r.external_id, r.segment) for r in readings] == [("ENC-X-1", 24), ("ENC-X-3", 35), ("PED-7731", 58)]
    claims = by_id(readings)
    first = claims["ENC-X-1"].encounter
    assert first is not None and not claims["ENC-X-1"].errors
    assert (first.patient.last_name, first.patient.account_number, first.coverages[0].relationship) == (
        "LOPEZ", "ENC-X-1", "self")
    assert first.billing_provider.model_dump() == {
        "npi": "1234567893", "tax_id": "371234567", "organization_name": "SPRINGFIELD FAMILY MEDICINE",
        "taxonomy": "207Q00000X", "address": {"line1": "100 CLINIC WAY", "line2": None, "city": "SPRINGFIELD",
                                              "state": "IL", "postal_code": "627019876"}}  # not the 2010AB pay-to
    assert first.diagnoses == ["E11.65", "I10"]
    assert [(line.procedure_code, line.modifiers, line.charge, line.diagnosis_pointers)
            for line in first.service_lines] == [("99214", ["25"], Decimal("185.00"), [1, 2]),
                                                 ("83036", [], Decimal("42.00"), [1])]
    assert first.total_charge == Decimal("227.00") and first.date_of_service == dt.date(2026, 11, 2)


def test_second_claim_of_the_same_subscriber_with_a_drug_line() -> None:
    encounter = by_id(read_837p(fixture_text()))["ENC-X-3"].encounter
    assert encounter is not None
    assert (encounter.date_of_service, encounter.date_of_service_through) == (dt.date(2026, 11, 5),
                                                                              dt.date(2026, 11, 6))
    drug_line = encounter.service_lines[1]
    assert drug_line.date_of_service == dt.date(2026, 11, 6) and drug_line.drug is not None
    assert (drug_line.drug.ndc, drug_line.drug.quantity, drug_line.drug.unit) == ("00409488301", Decimal(1), "UN")
    assert encounter.rendering_provider is None  # no 2310B: the billing provider rendered the care


def test_dependent_patient_with_providers_and_other_coverages() -> None:
    reading = by_id(read_837p(fixture_text()))["PED-7731"]
    encounter = reading.encounter
    assert encounter is not None
    assert (encounter.patient.first_name, encounter.patient.date_of_birth) == ("BENJAMIN", dt.date(2017, 5, 21))
    primary, secondary = encounter.coverages
    assert (primary.relationship, primary.payer.payer_id, primary.group_number) == ("child", "BCBS01", "BCB-G-9")
    assert primary.subscriber is not None and primary.subscriber.date_of_birth == dt.date(1986, 2, 11)
    # 2330A has no DMG: the secondary's subscriber is the primary's (same name and address), so it is kept
    assert (secondary.priority, secondary.payer.payer_id, secondary.member_id) == ("secondary", "HMO42", "HMO-5521-02")
    assert secondary.subscriber == primary.subscriber
    # the tertiary's subscriber is described nowhere with a birth date: left out, with a warning
    assert reading.warnings == ("other coverage at segment 73 left out: the 837P does not carry that subscriber's "
                                "birth date and sex",)
    assert encounter.prior_authorization == "PA-55120" and encounter.place_of_service == "22"
    assert encounter.referring_provider is not None and encounter.referring_provider.npi == "1200000002"
    assert encounter.rendering_provider is not None and encounter.rendering_provider.taxonomy == "207X00000X"
    assert encounter.service_facility is not None and encounter.service_facility.address.postal_code == "78705"
    assert encounter.diagnoses == ["S93.401A", "W19.XXXA"]
    assert [(line.modifiers, line.units, line.date_of_service) for line in encounter.service_lines] == [
        (["RT", "26"], Decimal("1"), None), (["RT"], Decimal("2"), dt.date(2026, 10, 15)),
        (["GP", "59", "XU"], Decimal("1.5"), dt.date(2026, 10, 15))]
    assert_no_phi([reading])


def test_delimiters_are_whatever_the_isa_declares() -> None:
    piped = fixture_text()
    starred = piped.replace("*", "").replace("|", "*").replace(">", ":")
    assert [r.encounter for r in read_837p(starred)] == [r.encounter for r in read_837p(piped)]


UNREADABLE = [
    ("not X12", lambda: '{"resourceType": "Claim"}', 1, "ISA"),
    ("no IEA", lambda: "".join(s + "~" for s in segments_of(fixture_text())[:-1]), 89, "GE"),
    ("SE miscounts", lambda: fixture_text().replace("SE|86|0417", "SE|85|0417"), 88, "SE"),
    ("an 837I", lambda: fixture_text().replace("ST|837|0417|005010X222A1", "ST|837|0417|005010X223A2")
     .replace("|X|005010X222A1", "|X|005010X223A2"), 3, "ST"),
    ("an 835", lambda: fixture_text().replace("ST|837|", "ST|835|"), 3, "ST"),
    ("HL under a missing parent", lambda: fixture_text().replace("HL|4|3|23|0", "HL|4|9|23|0"), 52, "HL"),
    ("CLM under the billing provider", lambda: edited(lambda s: s.insert(15, "CLM|X|1|||11>B>1")), 16, "CLM"),
]


@pytest.mark.parametrize(("text", "position", "segment_id"), [(t, p, s) for _, t, p, s in UNREADABLE],
                         ids=[name for name, *_ in UNREADABLE])
def test_unreadable_files_name_the_segment(text: Callable[[], str], position: int, segment_id: str) -> None:
    with pytest.raises(X12DocumentUnreadable) as unreadable:
        read_837p(text())
    assert (unreadable.value.segment, unreadable.value.segment_id) == (position, segment_id)


BAD_CLAIMS = [
    ("replacement claim", replace("CLM|ENC-X-1|227|||11>B>1|Y|A|Y|Y", "CLM|ENC-X-1|227|||11>B>7|Y|A|Y|Y"),
     {"segment": 24, "element": "CLM05-3"}),
    ("ICD-9 diagnosis", replace("HI|ABK>E1165|ABF>I10", "HI|BK>25000"), {"segment": 25, "element": "HI01-1"}),
    ("charge not a number", replace("SV1|HC>83036|42|UN|1|||1", "SV1|HC>83036|4x2|UN|1|||1"),
     {"segment": 33, "element": "SV102"}),
    ("total differs from lines", replace("CLM|ENC-X-1|227|||11>B>1|Y|A|Y|Y", "CLM|ENC-X-1|230|||11>B>1|Y|A|Y|Y"),
     {"segment": 24, "element": "CLM02"}),
    ("pointer past the diagnoses", replace("SV1|HC>83036|42|UN|1|||1", "SV1|HC>83036|42|UN|1|||3"),
     {"segment": 33, "element": "SV107-1", "field": "/service_lines/1/diagnosis_pointers/0"}),
    ("birth date impossible", replace("DMG|D8|19840309|F", "DMG|D8|19841309|F"), {"segment": 22, "element": "DMG02"}),
    ("billed to the secondary", replace("SBR|P|18|GRP4410||||||CI", "SBR|S|18|GRP4410||||||CI"),
     {"segment": 18, "element": "SBR01"}),
    ("NDC procedure qualifier", replace("SV1|HC>83036|42|UN|1|||1", "SV1|N4>83036|42|UN|1|||1"),
     {"segment": 33, "element": "SV101-1"}),
    ("no service date", lambda s: s.pop(33), {"segment": 32, "segment_id": "LX"}),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in BAD_CLAIMS], ids=[n for n, *_ in BAD_CLAIMS])
def test_a_bad_claim_is_rejected_at_its_segment_and_the_others_pass(change: Callable[[list[str]], None],
                                                                     expected: dict[str, object]) -> None:
    readings = by_id(read_837p(edited(change)))
    rejected = readings["ENC-X-1"]
    assert rejected.encounter is None
    assert any(expected.items() <= error.items() for error in rejected.errors), rejected.errors
    # ENC-X-3 shares ENC-X-1's subscriber loop; PED-7731 shares nothing but the billing provider
    assert readings["PED-7731"].encounter is not None
    assert_no_phi(list(readings.values()))


def test_contract_errors_point_at_the_element_they_were_read_from() -> None:
    text = edited(replace("NM1|85|2|SPRINGFIELD FAMILY MEDICINE|||||XX|1234567893",
                          "NM1|85|2|SPRINGFIELD FAMILY MEDICINE|||||XX|1234567890"))
    readings = read_837p(text)
    for reading in readings:  # one billing provider for all three claims
        assert reading.errors == [{
            "segment": 10, "segment_id": "NM1", "element": "NM109", "field": "/billing_provider/npi",
            "detail": "must be an NPI whose last digit is its Luhn check digit (prefix 80840)"}]


def test_missing_billing_taxonomy_is_reported_at_the_billing_provider_hl() -> None:
    readings = read_837p(edited(lambda s: s.remove("PRV|BI|PXC|207Q00000X")))
    assert all({"segment": 8, "segment_id": "HL", "field": "/billing_provider/taxonomy"}.items() <= r.errors[0].items()
               for r in readings)


def test_intake_rules_are_reported_at_segment_positions() -> None:
    text = edited(replace("HI|ABK>E1165|ABF>I10", "HI|ABK>E11|ABF>I10"))  # E11 is a category, not billable
    reading = by_id(read_837p(text, rules=lambda e: encounter_violations(e, today=dt.date(2026, 11, 27))))["ENC-X-1"]
    assert [(e["segment"], e["element"], e["field"]) for e in reading.errors] == [(25, "HI01-2", "/diagnoses/0")]
