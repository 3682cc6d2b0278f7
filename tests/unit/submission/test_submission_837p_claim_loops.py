"""The 837P claim loops: diagnoses, service lines, optional provider loops, other coverages, free text."""

from __future__ import annotations

import json

from claim_corpus import interchange_header
from submission_837p_segments import (
    EXAMPLE_ENCOUNTER,
    claim_blocks,
    example_claim,
    example_encounter,
    segments_of,
)

from services.submission.domain import BillableClaim, write_837p


def test_diagnoses_principal_first_dots_removed() -> None:
    claim = example_claim(diagnoses=[f"M54.5{n}" for n in range(10)] + ["I10", "Z00.00"])
    claim = BillableClaim("P12", "1", claim.encounter, ["L1", "L2"])
    block = claim_blocks(segments_of(write_837p(interchange_header(), [claim])))[0]
    hi = next(s for s in block if s[0] == "HI")
    assert hi[1] == "ABK:M5450" and len(hi) == 13
    assert hi[2:] == [f"ABF:M545{n}" for n in range(1, 10)] + ["ABF:I10", "ABF:Z0000"]


def test_service_line_composites_dates_and_line_control_numbers() -> None:
    lines = [
        {
            "procedure_code": "20610",
            "modifiers": ["RT", "59", "XU", "76"],
            "units": "1.500",
            "charge": "120.50",
            "diagnosis_pointers": [2, 1],
            "date_of_service": "2026-10-30",
        },
        {
            "procedure_code": "J3420",
            "modifiers": [],
            "units": 2,
            "charge": "10.00",
            "diagnosis_pointers": [1],
        },
    ]
    claim = BillableClaim("P2", "1", example_encounter(service_lines=lines), ["A-1", "A-2"])
    block = claim_blocks(segments_of(write_837p(interchange_header(), [claim])))[0]
    assert [s for s in block if s[0] == "SV1"] == [
        ["SV1", "HC:20610:RT:59:XU:76", "120.5", "UN", "1.5", "", "", "2:1"],
        ["SV1", "HC:J3420", "10", "UN", "2", "", "", "1"],
    ]
    assert [s[3] for s in block if s[:2] == ["DTP", "472"]] == ["20261030", "20261102"]
    assert [s[2] for s in block if s[:2] == ["REF", "6R"]] == ["A-1", "A-2"]
    assert block[0][2] == "130.5"


def test_optional_claim_loops_appear_only_when_needed() -> None:
    encounter = example_encounter()
    billing = encounter.billing_provider
    cases = [
        ({}, {"NM1*82", "PRV*PE"}),
        ({"rendering_provider": {"npi": billing.npi, "first_name": "Solo", "last_name": "Doc"}}, set()),
        ({"rendering_provider": None, "prior_authorization": "AUTH-1"}, {"REF*G1"}),
        (
            {
                "rendering_provider": None,
                "referring_provider": {"npi": "1987654328", "first_name": "R", "last_name": "Ref"},
            },
            {"NM1*DN"},
        ),
        (
            {
                "rendering_provider": None,
                "service_facility": {"name": "Annex", "address": billing.address.model_dump()},
            },
            set(),
        ),
        (
            {
                "rendering_provider": None,
                "service_facility": {
                    "name": "Annex",
                    "npi": "1234567893",
                    "address": {
                        "line1": "5 Side St",
                        "city": "Springfield",
                        "state": "IL",
                        "postal_code": "62702",
                    },
                },
            },
            {"NM1*77", "N3", "N4"},
        ),
    ]
    for changes, expected in cases:
        claim = BillableClaim("P3", "1", example_encounter(**changes), ["L1", "L2"])
        block = claim_blocks(segments_of(write_837p(interchange_header(), [claim])))[0]
        present = {"*".join(s[:2]) if s[0] in ("NM1", "PRV", "REF") else s[0] for s in block}
        optional = {"NM1*82", "PRV*PE", "REF*G1", "NM1*DN", "NM1*77", "N3", "N4"}
        assert present & optional == expected, changes


def test_other_coverages_are_reported_in_2320_in_priority_order() -> None:
    coverage = json.loads(EXAMPLE_ENCOUNTER.read_text())["coverages"][0]
    spouse = {
        "first_name": "Ana",
        "last_name": "Lopez",
        "date_of_birth": "1982-01-02",
        "sex": "F",
        "address": {"line1": "1 A St", "city": "Springfield", "state": "IL", "postal_code": "62701"},
    }
    coverages = [
        coverage,
        {
            **coverage,
            "priority": "tertiary",
            "payer": {"payer_id": "TER1", "name": "Third"},
            "member_id": "T1",
            "claim_filing_indicator": "MC",
        },
        {
            **coverage,
            "priority": "secondary",
            "payer": {"payer_id": "SEC1", "name": "Second"},
            "member_id": "S1",
            "relationship": "spouse",
            "subscriber": spouse,
            "claim_filing_indicator": "BL",
        },
    ]
    claim = BillableClaim("P4", "1", example_encounter(coverages=coverages), ["L1", "L2"])
    segments = segments_of(write_837p(interchange_header(), [claim]))
    sbrs = [s for s in segments if s[0] == "SBR"]
    assert [(s[1], s[2], s[9]) for s in sbrs] == [("P", "18", "CI"), ("S", "01", "BL"), ("T", "18", "MC")]
    assert [s[9] for s in segments if s[:2] == ["NM1", "PR"]] == ["SIMPAY", "SEC1", "TER1"]
    assert sum(1 for s in segments if s[0] == "OI") == 2


def test_free_text_is_folded_into_basic_characters() -> None:
    patient = json.loads(EXAMPLE_ENCOUNTER.read_text())["patient"]
    patient.update(first_name="José~Ana", last_name="Núñez*O'Brien")
    patient["address"]["line1"] = "12 Oak Ave, Apt #4"
    claim = BillableClaim("P5", "1", example_encounter(patient=patient), ["L1", "L2"])
    segments = segments_of(write_837p(interchange_header(), [claim]))
    assert ["NM1", "IL", "1", "NUNEZ O'BRIEN", "JOSE ANA", "", "", "", "MI", "XJH123456701"] in segments
    assert ["N3", "12 OAK AVE, APT 4"] in segments
