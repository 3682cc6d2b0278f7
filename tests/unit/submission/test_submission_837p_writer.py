"""The 837P writer's rules: amounts, hierarchy, corrections, envelope counts and the segments it emits."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from claim_corpus import corpus_claims, interchange_header

from services.submission.domain import BillableClaim, InvalidBillableClaim, write_837p
from shared.contracts.encounter import Encounter
from shared.x12.tokenizer import split_segments

EXAMPLE_ENCOUNTER = Path("/work/shared/examples/encounter.json")
CORPUS = corpus_claims(60)


def example_encounter(**changes: object) -> Encounter:
    document = json.loads(EXAMPLE_ENCOUNTER.read_text())
    document.update(changes)
    return Encounter.model_validate(document)


def example_claim(
    pcn: str = "PCN1001", frequency: str = "1", payer_ccn: str | None = None, **changes: object
):
    encounter = example_encounter(**changes)
    lines = [f"{pcn}-{n}" for n in range(1, len(encounter.service_lines) + 1)]
    return BillableClaim(pcn, frequency, encounter, lines, payer_claim_control_number=payer_ccn)


def segments_of(text: str) -> list[list[str]]:
    return split_segments(text)[1]


def blocks_by_control_number(segments: list[list[str]]) -> dict[str, list[list[str]]]:
    """Claim blocks keyed by CLM01 (the writer orders claims by billing provider, not input order)."""
    return {block[0][1]: block for block in claim_blocks(segments)}


def claim_blocks(segments: list[list[str]]) -> list[list[list[str]]]:
    """Each claim's segments: from its CLM up to the next HL or SE."""
    blocks: list[list[list[str]]] = []
    collecting = False
    for seg in segments:
        if seg[0] == "CLM":
            blocks.append([])
            collecting = True
        elif seg[0] in ("HL", "SE"):
            collecting = False
        if collecting:
            blocks[-1].append(seg)
    return blocks


EXPECTED_EXAMPLE = """\
ISA*00*          *00*          *ZZ*CLAIMLINE      *ZZ*SIMCLEARING    *261103*1405*^*00501*000000042*0*T*:~
GS*HC*CLAIMLINE*SIMCLEARING*20261103*1405*42*X*005010X222A1~
ST*837*0042*005010X222A1~
BHT*0019*00*0042*20261103*1405*CH~
NM1*41*2*CLAIMLINE BILLING*****46*CLAIMLINE~
PER*IC*EDI DESK*TE*5555550100~
NM1*40*2*SIM CLEARINGHOUSE*****46*SIMCLEARING~
HL*1**20*1~
PRV*BI*PXC*207Q00000X~
NM1*85*2*SPRINGFIELD FAMILY MEDICINE*****XX*1234567893~
N3*100 CLINIC WAY~
N4*SPRINGFIELD*IL*627019876~
REF*EI*371234567~
HL*2*1*22*0~
SBR*P*18*GRP4410******CI~
NM1*IL*1*LOPEZ*MARIA****MI*XJH123456701~
N3*410 ELM STREET~
N4*SPRINGFIELD*IL*627011234~
DMG*D8*19840309*F~
NM1*PR*2*SIMULATED HEALTH PLAN*****PI*SIMPAY~
CLM*PCN1001*227***11:B:1*Y*A*Y*Y~
HI*ABK:E1165*ABF:I10~
NM1*82*1*GRANT*ALAN****XX*1987654328~
PRV*PE*PXC*207Q00000X~
LX*1~
SV1*HC:99214:25*185*UN*1***1:2~
DTP*472*D8*20261102~
REF*6R*PCN1001-1~
LX*2~
SV1*HC:83036*42*UN*1***1~
DTP*472*D8*20261102~
REF*6R*PCN1001-2~
SE*31*0042~
GE*1*42~
IEA*1*000000042~
"""


def test_example_encounter_is_written_segment_for_segment() -> None:
    assert write_837p(interchange_header(42), [example_claim()]) == EXPECTED_EXAMPLE


def test_claim_charge_is_the_exact_sum_of_its_lines() -> None:
    blocks = blocks_by_control_number(segments_of(write_837p(interchange_header(), CORPUS)))
    assert len(blocks) == len(CORPUS)
    for claim in CORPUS:
        block = blocks[claim.patient_control_number]
        lines = [Decimal(s[2]) for s in block if s[0] == "SV1"]
        assert Decimal(block[0][2]) == sum(lines) == claim.encounter.total_charge
        assert len(lines) == len(claim.encounter.service_lines)


def test_patient_level_only_for_dependents() -> None:
    segments = segments_of(write_837p(interchange_header(), CORPUS))
    claims = {claim.patient_control_number: claim for claim in CORPUS}
    subscriber_levels = [i for i, s in enumerate(segments) if s[0] == "HL" and s[3] == "22"]
    assert len(subscriber_levels) == len(CORPUS)
    for at in subscriber_levels:
        hl, sbr = segments[at], segments[at + 1]
        following_levels = [s for s in segments[at + 1 :] if s[0] in ("HL", "CLM")]
        claim = claims[next(s for s in segments[at:] if s[0] == "CLM")[1]]
        if claim.encounter.primary_coverage.relationship == "self":
            assert hl[4] == "0" and sbr[2] == "18"
            assert following_levels[0][0] == "CLM"
        else:
            assert hl[4] == "1" and sbr[2] == ""
            patient_hl = following_levels[0]
            assert patient_hl[3] == "23" and patient_hl[2] == hl[1]
            pat = segments[segments.index(patient_hl) + 1]
            assert pat[0] == "PAT"
            expected = {"spouse": "01", "child": "19", "other": "G8"}[
                claim.encounter.primary_coverage.relationship
            ]
            assert pat[1] == expected


@pytest.mark.parametrize(
    ("frequency", "payer_ccn", "expected_f8"),
    [("1", None, None), ("7", "PAYER-77", "PAYER-77"), ("8", "PAYER-88", "PAYER-88")],
)
def test_payer_claim_control_number_only_on_replacements_and_voids(frequency, payer_ccn, expected_f8) -> None:
    block = claim_blocks(
        segments_of(write_837p(interchange_header(), [example_claim("P1", frequency, payer_ccn)]))
    )[0]
    assert block[0][5] == f"11:B:{frequency}"
    f8 = [s[2] for s in block if s[:2] == ["REF", "F8"]]
    assert f8 == ([expected_f8] if expected_f8 else [])


def test_corpus_replacements_and_voids_carry_f8_and_originals_do_not() -> None:
    blocks = blocks_by_control_number(segments_of(write_837p(interchange_header(), CORPUS)))
    for claim in CORPUS:
        block = blocks[claim.patient_control_number]
        f8 = [s[2] for s in block if s[:2] == ["REF", "F8"]]
        assert f8 == ([] if claim.payer_claim_control_number is None else [claim.payer_claim_control_number])
        assert block[0][5].endswith(":" + claim.frequency_code.value)


@pytest.mark.parametrize("control_number", [1, 42, 999_999_999])
def test_envelope_control_numbers_and_counts(control_number: int) -> None:
    text = write_837p(interchange_header(control_number), CORPUS[:7])
    segments = segments_of(text)
    isa, gs, st = segments[0], segments[1], segments[2]
    se, ge, iea = segments[-3], segments[-2], segments[-1]
    assert len(text.splitlines()[0]) == 106  # the fixed-width ISA with its terminator
    assert isa[13] == iea[2] == f"{control_number:09d}" and iea[1] == "1"
    assert gs[6] == ge[2] == str(control_number) and ge[1] == "1"
    assert st[2] == se[2] == f"{control_number:04d}"
    assert int(se[1]) == len(segments) - 4  # ST through SE inclusive
    assert all(line.endswith("~") for line in text.splitlines())


def test_hierarchy_ids_are_sequential_and_claims_grouped_by_billing_provider() -> None:
    segments = segments_of(write_837p(interchange_header(), CORPUS))
    levels = [s for s in segments if s[0] == "HL"]
    assert [int(s[1]) for s in levels] == list(range(1, len(levels) + 1))
    providers = [s for s in levels if s[3] == "20"]
    distinct = {c.encounter.billing_provider.model_dump_json() for c in CORPUS}
    assert len(providers) == len(distinct) and all(s[2] == "" for s in providers)
    provider_ids = {s[1] for s in providers}
    assert all(s[2] in provider_ids for s in levels if s[3] == "22")


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


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ([], "at least one claim"),
        ([example_claim("SAME"), example_claim("SAME")], "unique"),
    ],
)
def test_writer_refuses_empty_or_ambiguous_batches(claims, message) -> None:
    with pytest.raises(InvalidBillableClaim, match=message):
        write_837p(interchange_header(), claims)


def test_free_text_is_folded_into_basic_characters() -> None:
    patient = json.loads(EXAMPLE_ENCOUNTER.read_text())["patient"]
    patient.update(first_name="José~Ana", last_name="Núñez*O'Brien")
    patient["address"]["line1"] = "12 Oak Ave, Apt #4"
    claim = BillableClaim("P5", "1", example_encounter(patient=patient), ["L1", "L2"])
    segments = segments_of(write_837p(interchange_header(), [claim]))
    assert ["NM1", "IL", "1", "NUNEZ O'BRIEN", "JOSE ANA", "", "", "", "MI", "XJH123456701"] in segments
    assert ["N3", "12 OAK AVE, APT 4"] in segments
