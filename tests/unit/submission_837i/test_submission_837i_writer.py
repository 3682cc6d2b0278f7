"""The 837I writer: envelope, CLM from the type of bill, statement/admission dates, CL1, HI, 2310A, 2400 SV2."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from claim_corpus import interchange_header
from submission_837p_segments import claim_blocks, example_encounter, segments_of

from services.submission.domain import (
    InstitutionalClaim,
    InstitutionalDetails,
    InstitutionalLine,
    InvalidBillableClaim,
    write_837i,
)
from services.submission.domain.institutional_encounter import institutional_details_from

ATTENDING = {"npi": "1987654328", "first_name": "Alan", "last_name": "Grant", "taxonomy": "207RC0000X"}
INPATIENT_FIELDS = {
    "claim_type": "institutional",
    "place_of_service": "21",
    "date_of_service": "2026-10-01",
    "type_of_bill": "0111",
    "admission_date": "2026-10-01",
    "admission_hour": 7,
    "discharge_date": "2026-10-04",
    "discharge_hour": 15,
    "patient_status": "01",
    "attending_provider": ATTENDING,
    "diagnoses": ["J18.9", "E11.65", "I10"],
    "service_lines": [
        {
            "procedure_code": "J3420",
            "units": 3,
            "charge": "3000.00",
            "diagnosis_pointers": [1],
            "revenue_code": "0120",
        },
        {
            "procedure_code": "85025",
            "modifiers": ["59"],
            "units": 1,
            "charge": "42.50",
            "diagnosis_pointers": [1, 2],
            "revenue_code": "0300",
            "date_of_service": "2026-10-02",
        },
        {
            "procedure_code": "J1885",
            "units": 1,
            "charge": "19.99",
            "diagnosis_pointers": [1],
            "revenue_code": "0636",
            "drug": {"ndc": "00409488820", "quantity": "2.5", "unit": "ML"},
        },
    ],
}


def inpatient_encounter(**changes: object):
    """The shared example turned into a three-day inpatient stay."""
    return example_encounter(**{**INPATIENT_FIELDS, **changes})


def inpatient_claim(pcn: str = "IC1", **changes: object) -> InstitutionalClaim:
    encounter = inpatient_encounter()
    details = institutional_details_from(
        encounter, admission_type="1", admission_source="7", admitting_diagnosis="R50.9", medical_record_number="MR77"
    )
    # The room-and-board line travels with its revenue code alone, counted in days.
    room = dataclasses.replace(details.lines[0], procedure_code=None, unit_basis="DA")
    details = dataclasses.replace(details, lines=[room, *details.lines[1:]], **changes)
    numbers = [f"{pcn}-{n}" for n in range(1, len(details.lines) + 1)]
    ccn = "PAYER-9" if details.frequency_code in ("7", "8") else None
    return InstitutionalClaim(pcn, encounter, details, numbers, payer_claim_control_number=ccn)


def _segments(*claims: InstitutionalClaim) -> list[list[str]]:
    return segments_of(write_837i(interchange_header(), list(claims)))


def test_envelope_names_the_x223a2_guide() -> None:
    segments = _segments(inpatient_claim())
    gs, st = segments[1], segments[2]
    assert gs[8] == "005010X223A2" and st == ["ST", "837", "0001", "005010X223A2"]
    assert int(segments[-3][1]) == len(segments) - 4


def test_inpatient_claim_header_segments() -> None:
    block = claim_blocks(_segments(inpatient_claim()))[0]
    assert block[0] == ["CLM", "IC1", "3062.49", "", "", "11:A:1", "", "A", "Y", "Y"]
    assert block[1:5] == [
        ["DTP", "096", "TM", "1500"],
        ["DTP", "434", "RD8", "20261001-20261004"],
        ["DTP", "435", "DT", "202610010700"],
        ["CL1", "1", "7", "01"],
    ]
    assert ["REF", "EA", "MR77"] in block
    his = [s for s in block if s[0] == "HI"]
    assert his == [["HI", "ABK:J189"], ["HI", "ABJ:R509"], ["HI", "ABF:E1165", "ABF:I10"]]
    attending_at = block.index(["NM1", "71", "1", "GRANT", "ALAN", "", "", "", "XX", "1987654328"])
    assert block[attending_at + 1] == ["PRV", "AT", "PXC", "207RC0000X"]


def test_service_lines_with_and_without_hcpcs_dates_and_drugs() -> None:
    block = claim_blocks(_segments(inpatient_claim()))[0]
    assert [s for s in block if s[0] == "SV2"] == [
        ["SV2", "0120", "", "3000", "DA", "3"],
        ["SV2", "0300", "HC:85025:59", "42.5", "UN", "1"],
        ["SV2", "0636", "HC:J1885", "19.99", "UN", "1"],
    ]
    # Inpatient lines carry a date only when the caller knows the day.
    assert [s[3] for s in block if s[:2] == ["DTP", "472"]] == ["20261002"]
    assert [s[2] for s in block if s[:2] == ["REF", "6R"]] == ["IC1-1", "IC1-2", "IC1-3"]
    assert ["LIN", "", "N4", "00409488820"] in block and ["CTP", "", "", "", "2.5", "ML"] in block


def test_outpatient_claim_dates_every_line_and_omits_inpatient_only_segments() -> None:
    encounter = inpatient_encounter(type_of_bill="0131", place_of_service="22", discharge_date="2026-10-01")
    details = institutional_details_from(encounter)
    claim = InstitutionalClaim("OP1", encounter, details, ["A", "B", "C"])
    block = claim_blocks(_segments(claim))[0]
    assert block[0][5] == "13:A:1"
    assert not any(s[:2] == ["DTP", "096"] for s in block)
    assert ["CL1", "", "", "01"] in block
    assert [s[3] for s in block if s[:2] == ["DTP", "472"]] == ["20261001", "20261002", "20261001"]
    assert not any(s[0] == "HI" and s[1].startswith("ABJ") for s in block)


def test_replacement_type_of_bill_carries_the_payer_claim_control_number() -> None:
    claim = inpatient_claim(type_of_bill="0117")
    block = claim_blocks(_segments(claim))[0]
    assert block[0][5] == "11:A:7" and ["REF", "F8", "PAYER-9"] in block
    with pytest.raises(InvalidBillableClaim, match="payer_claim_control_number"):
        InstitutionalClaim("IC2", claim.encounter, claim.details, claim.line_control_numbers)


def test_dependent_gets_a_patient_level() -> None:
    encounter = inpatient_encounter()
    coverage = encounter.coverages[0].model_dump(mode="json")
    subscriber = {**encounter.patient.model_dump(mode="json"), "first_name": "Parent"}
    subscriber.pop("account_number")
    dependent = inpatient_encounter(coverages=[{**coverage, "relationship": "child", "subscriber": subscriber}])
    claim = InstitutionalClaim(
        "DEP1", dependent, institutional_details_from(dependent, admission_type="1"), ["1", "2", "3"]
    )
    levels = [s for s in _segments(claim) if s[0] in ("HL", "PAT")]
    assert levels == [
        ["HL", "1", "", "20", "1"],
        ["HL", "2", "1", "22", "1"],
        ["HL", "3", "2", "23", "0"],
        ["PAT", "19"],
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"type_of_bill": "111X"}, "type_of_bill"),
        ({"admission_type": None}, "admission_at and admission_type"),
        ({"statement_to": dt.date(2026, 9, 1)}, "statement_to"),
        ({"patient_status": "1"}, "patient_status"),
        ({"lines": []}, "at least one line"),
    ],
)
def test_invalid_institutional_details_are_refused(changes: dict[str, object], message: str) -> None:
    details = inpatient_claim().details
    with pytest.raises(InvalidBillableClaim, match=message):
        dataclasses.replace(details, **changes)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"revenue_code": "120"}, "revenue_code"),
        ({"charge": Decimal("0")}, "charge"),
        ({"procedure_code": None, "modifiers": ["59"]}, "modifiers need"),
        ({"ndc": "123"}, "ndc"),
    ],
)
def test_invalid_lines_are_refused(line: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"revenue_code": "0300", "charge": Decimal("10"), "units": Decimal("1")}
    if "ndc" in line:
        values["ndc_quantity"] = Decimal("1")
    with pytest.raises(InvalidBillableClaim, match=message):
        InstitutionalLine(**{**values, **line})


def test_professional_encounters_and_duplicate_claims_are_refused() -> None:
    claim = inpatient_claim()
    with pytest.raises(InvalidBillableClaim, match="institutional"):
        InstitutionalClaim("P1", example_encounter(), claim.details, claim.line_control_numbers)
    with pytest.raises(InvalidBillableClaim, match="unique"):
        write_837i(interchange_header(), [claim, claim])
    with pytest.raises(InvalidBillableClaim, match="at least one"):
        write_837i(interchange_header(), [])


def test_details_can_be_built_without_the_contract_fields() -> None:
    # A caller whose source holds the UB-04 facts elsewhere fills the dataclass directly.
    details = InstitutionalDetails(
        type_of_bill="131",
        statement_from=dt.date(2026, 5, 1),
        statement_to=dt.date(2026, 5, 1),
        patient_status="01",
        lines=[InstitutionalLine("0450", Decimal("900"), Decimal("1"), "99284")],
    )
    assert (details.facility_type_code, details.frequency_code, details.is_inpatient) == ("13", "1", False)
    assert details.total_charge == Decimal("900.00")


def test_interim_inpatient_bill_has_no_discharge_hour() -> None:
    block = claim_blocks(_segments(inpatient_claim(type_of_bill="0112")))[0]
    assert block[0][5] == "11:A:2"
    assert not any(s[:2] == ["DTP", "096"] for s in block)
