"""The 837P writer's rules: amounts, hierarchy, corrections, envelope counts and the segments it emits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from claim_corpus import corpus_claims, interchange_header
from submission_837p_segments import blocks_by_control_number, claim_blocks, example_claim, segments_of

from services.submission.domain import InvalidBillableClaim, write_837p

CORPUS = corpus_claims(60)

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
