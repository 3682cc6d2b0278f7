"""Malformed 835s raise EraParseError naming the segment index, id and reason, and leak no PHI."""

from __future__ import annotations

import pytest

from services.remittance.domain import EraParseError, parse_835
from shared.x12.tokenizer import X12SyntaxError

from .fixture_files import fixture_text

GOOD = fixture_text("payment_deductible_coinsurance_copay.835")


def _move_after(text: str, segment: str, anchor: str) -> str:
    return text.replace(segment, "", 1).replace(anchor, anchor + segment, 1)


# (case, mutate the good file, segment index, segment id, reason fragment)
MALFORMED = [
    ("empty file", lambda t: "", 0, "ISA", "106-character ISA"),
    ("not X12", lambda t: "hello " * 40, 0, "ISA", "106-character ISA"),
    ("missing IEA", lambda t: t.replace("IEA*1*000000101~\n", ""), 41, "GE", "file ends before IEA"),
    ("missing GE and IEA", lambda t: t[: t.index("GE*")], 40, "SE", "file ends before GE"),
    ("missing SE", lambda t: t.replace("SE*39*0001~\n", ""), 40, "GE", "SE missing"),
    ("file ends inside a transaction", lambda t: t[: t.index("SE*")], 39, "AMT", "SE missing"),
    ("SE count mismatch", lambda t: t.replace("SE*39*", "SE*38*"), 40, "SE", "SE01 does not match the 39"),
    ("SE control mismatch", lambda t: t.replace("SE*39*0001", "SE*39*0002"), 40, "SE", "SE02"),
    ("GE count mismatch", lambda t: t.replace("GE*1*", "GE*2*"), 41, "GE", "GE01"),
    ("GE control mismatch", lambda t: t.replace("GE*1*101", "GE*1*102"), 41, "GE", "GE02"),
    ("IEA count mismatch", lambda t: t.replace("IEA*1*", "IEA*3*"), 42, "IEA", "IEA01"),
    ("IEA control mismatch", lambda t: t.replace("IEA*1*000000101", "IEA*1*000000999"), 42, "IEA", "IEA02"),
    ("wrong version", lambda t: t.replace("005010X221A1", "005010X222A1"), 1, "GS", "GS08"),
    (
        "no TRN",
        lambda t: t.replace("TRN*1*EFT0000101*1431234567~\n", "").replace("SE*39*", "SE*38*"),
        2,
        "ST",
        "no TRN",
    ),
    (
        "BPR twice",
        lambda t: t.replace("DTM*405*20240314~", "DTM*405*20240314~\nBPR*I*1*C*CHK************20240315~"),
        6,
        "BPR",
        "once",
    ),
    ("not an 835", lambda t: t.replace("ST*835*", "ST*837*"), 2, "ST", "ST01 must be 835"),
    (
        "BPR not first",
        lambda t: _move_after(
            t, "BPR" + t.split("BPR", 1)[1].split("~")[0] + "~\n", "TRN*1*EFT0000101*1431234567~\n"
        ),
        2,
        "ST",
        "open with BPR",
    ),  # noqa: E501
    (
        "non-numeric charge",
        lambda t: t.replace("CLP*PCN1001*1*450*", "CLP*PCN1001*1*45O*"),
        17,
        "CLP",
        "CLP03 must be a decimal",
    ),
    (
        "exponent amount",
        lambda t: t.replace("SVC*HC:99213*150*75", "SVC*HC:99213*1.5E2*75"),
        21,
        "SVC",
        "SVC02",
    ),
    ("underscore amount", lambda t: t.replace("AMT*B6*100~", "AMT*B6*1_00~"), 26, "AMT", "AMT02"),
    (
        "missing paid amount",
        lambda t: t.replace("CLP*PCN1001*1*450*171*", "CLP*PCN1001*1*450**"),
        17,
        "CLP",
        "CLP04 is required",
    ),
    (
        "impossible date",
        lambda t: t.replace("DTM*472*20240220~\nCAS*CO*45*50", "DTM*472*20240231~\nCAS*CO*45*50"),
        22,
        "DTM",
        "calendar date",
    ),  # noqa: E501
    ("short date", lambda t: t.replace("DTM*050*20240301", "DTM*050*240301"), 20, "DTM", "CCYYMMDD"),
    ("unknown group code", lambda t: t.replace("CAS*CO*45*50", "CAS*XX*45*50"), 23, "CAS", "CAS01"),
    (
        "CAS amount without reason",
        lambda t: t.replace("CAS*CO*45*50", "CAS*CO*45*50***9"),
        23,
        "CAS",
        "CAS05 is required",
    ),
    ("SVC composite without code", lambda t: t.replace("SVC*HC:99213*", "SVC*HC*"), 21, "SVC", "SVC01"),
    (
        "SVC before any CLP",
        lambda t: t.replace("LX*1~\n", "LX*1~\nSVC*HC:99213*1*1~\n"),
        16,
        "SVC",
        "SVC must follow a CLP",
    ),
    (
        "CAS in the header",
        lambda t: t.replace("DTM*405*20240314~", "DTM*405*20240314~\nCAS*CO*45*1~"),
        6,
        "CAS",
        "CAS must follow",
    ),
    ("payee before payer", lambda t: t.replace("N1*PR*", "N1*ZZ*"), 6, "N1", "N1*PR"),
    (
        "claim before the payee",
        lambda t: t.replace("N1*PE*RIVERSIDE FAMILY CLINIC*XX*1234567893~", "LX*1~"),
        11,
        "LX",
        "LX must follow",
    ),  # noqa: E501
    (
        "NM1 after a service line",
        lambda t: t.replace("AMT*B6*100~", "AMT*B6*100~\nNM1*QC*1*DOE*JANE~"),
        27,
        "NM1",
        "before any SVC",
    ),  # noqa: E501
    (
        "LQ outside a line",
        lambda t: t.replace("DTM*050*20240301~", "DTM*050*20240301~\nLQ*HE*N130~"),
        21,
        "LQ",
        "LQ must follow",
    ),
    (
        "claim after PLB",
        lambda t: t.replace("LX*1~", "PLB*1234567893*20241231*WO:X*1~\nLX*1~"),
        16,
        "LX",
        "LX must follow",
    ),
    (
        "segment foreign to 835",
        lambda t: t.replace("DTM*050*20240301~", "CLM*X*1~"),
        20,
        "CLM",
        "not part of an 835",
    ),
    ("truncated mid-segment", lambda t: fixture_text("truncated_mid_claim.835"), 30, "CAS", "truncated"),
]


@pytest.mark.parametrize(
    ("case", "mutate", "index", "segment_id", "reason"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_input_raises_era_parse_error(case, mutate, index, segment_id, reason):
    with pytest.raises(EraParseError) as raised:
        parse_835(mutate(GOOD))
    assert (raised.value.segment_index, raised.value.segment_id) == (index, segment_id)
    assert reason in str(raised.value)
    assert f"(segment {index} {segment_id})" in str(raised.value)


def test_parse_error_is_an_x12_syntax_error():
    assert issubclass(EraParseError, X12SyntaxError)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("CLP*PCN1001*1*450*", "CLP*PCN1001*1*DOE*"),  # a name where an amount belongs
        lambda t: t.replace("AMT*B6*100~", "AMT*B6*100~\nNM1*QC*1*DOE*JANE****MI*MEMB000111~"),
        lambda t: t.replace("DTM*050*20240301", "DTM*050*JANE"),
    ],
)
def test_errors_never_echo_element_values(mutate):
    with pytest.raises(EraParseError) as raised:
        parse_835(mutate(GOOD))
    message = str(raised.value)
    assert not any(phi in message for phi in ("DOE", "JANE", "MEMB000111"))


def test_repr_of_a_parsed_file_holds_no_patient_names_or_member_ids():
    text = repr(parse_835(GOOD))
    assert "PCN1001" in text  # the claim stays identifiable
    assert not any(phi in text for phi in ("DOE", "JANE", "SMITH", "ROBERT", "MEMB000111"))
