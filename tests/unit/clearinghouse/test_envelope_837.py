"""Envelope and claim-structure checks that reject an 837 before anything is processed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tools.clearinghouse.envelope_837 import read_interchange
from tools.clearinghouse.problems import InterchangeRejected

from .testkit import Segments, drop, read_fixture, replace, rewrite

SAMPLE = read_fixture("837p_simpay_two_claims.x12")
GS = "GS*HC*CLAIMLINE*SIMCLEARING*20260115*1200*101*X*005010X222A1"
ST = "ST*837*0001*005010X222A1"
CLM = "CLM*PCN1001*235.00***11:B:1*Y*A*Y*Y"
SV1 = "SV1*HC:80053*85.00*UN*1***1"
BILLING = "NM1*85*2*RIVERSIDE FAMILY MEDICINE*****XX*1234567893"


def without_lines_of_last_claim(segments: Segments) -> Segments:
    last_claim = max(i for i, s in enumerate(segments) if s[0] == "CLM")
    return [s for i, s in enumerate(segments) if i <= last_claim + 1 or s[0] in ("SE", "GE", "IEA")]


def rejection_of(text: str) -> InterchangeRejected:
    with pytest.raises(InterchangeRejected) as caught:
        read_interchange(text)
    return caught.value


def test_samples_are_accepted() -> None:
    for name in ("837p_simpay_two_claims.x12", "837p_mixed_payers.x12", "837i_simpay_outpatient.x12"):
        assert read_interchange(read_fixture(name)).claims


ENVELOPE_CASES: list[tuple[str, Callable[[Segments], Segments], bool, str, str | None, str | None]] = [
    # (case, change, recount SE01, detail starts with, AK905 group code, IK502 set code)
    ("IEA02 differs", replace("IEA*1*000000101", "IEA*1*000000999"), True, "IEA02", None, None),
    ("IEA01 wrong", replace("IEA*1*000000101", "IEA*2*000000101"), True, "IEA01", None, None),
    ("IEA missing", drop("IEA*1*000000101"), True, "IEA interchange trailer", None, None),
    ("GE02 differs", replace("GE*1*101", "GE*1*102"), True, "GE02", "4", None),
    ("GE01 wrong", replace("GE*1*101", "GE*3*101"), True, "GE01", "5", None),
    ("GE missing", drop("GE*1*101"), True, "GE functional group trailer", "3", None),
    ("GS08 not supported", replace(GS, GS.replace("X222A1", "X222A2")), True, "GS08", "2", None),
    ("GS01 not HC", replace(GS, GS.replace("GS*HC", "GS*HP")), True, "GS01", "1", None),
    ("SE02 differs", replace("SE*39*0001", "SE*39*0002"), False, "SE02", None, "3"),
    ("SE01 wrong", replace("SE*39*0001", "SE*40*0001"), False, "SE01", None, "4"),
    ("SE missing", drop("SE*39*0001"), False, "SE transaction set trailer", None, "2"),
    ("ST03 differs", replace(ST, ST.replace("X222A1", "X223A2")), True, "ST03", None, "19"),
    ("ST01 not 837", replace(ST, ST.replace("837", "835")), True, "ST01", None, "1"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "recount", "detail", "group_code", "set_code"),
    [case[1:] for case in ENVELOPE_CASES],
    ids=[case[0] for case in ENVELOPE_CASES],
)
def test_envelope_errors_are_placed_for_the_999(
    change: Callable[[Segments], Segments],
    recount: bool,
    detail: str,
    group_code: str | None,
    set_code: str | None,
) -> None:
    rejection = rejection_of(rewrite(SAMPLE, change, recount))
    problem = next(p for p in rejection.problems if p.detail.startswith(detail))
    assert (problem.group_code, problem.set_code) == (group_code, set_code)
    assert rejection.header is not None and rejection.header.control_number == "000000101"
    assert [g.control_number for g in rejection.groups] == ["101"]


SEGMENT_CASES: list[tuple[str, Callable[[Segments], Segments], str, int | None, str | None, str]] = [
    # (case, change, IK3 segment, IK4 element position, IK403 code, IK304 code)
    ("CLM02 not a number", replace(CLM, CLM.replace("235.00", "23X")), "CLM", 2, "6", "8"),
    ("CLM02 missing", replace(CLM, CLM.replace("235.00", "")), "CLM", 2, "1", "8"),
    ("CLM05 without frequency", replace(CLM, CLM.replace("11:B:1", "11:B")), "CLM", 5, "1", "8"),
    ("SV102 not a number", replace(SV1, SV1.replace("85.00", "eighty")), "SV1", 2, "6", "8"),
    ("SV101 without code", replace(SV1, SV1.replace("HC:80053", "HC")), "SV1", 1, "1", "8"),
    ("line without SV1", drop(SV1), "SV1", None, None, "3"),
    ("claim without lines", without_lines_of_last_claim, "LX", None, None, "3"),
    ("no payer before CLM", drop("NM1*PR*2*SIMULATED PAYING PAYER*****PI*SIMPAY"), "NM1", None, None, "3"),
    ("no billing NPI", replace(BILLING, "NM1*85*2*RIVERSIDE FAMILY MEDICINE"), "NM1", None, None, "3"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "segment_id", "element_position", "element_code", "segment_code"),
    [case[1:] for case in SEGMENT_CASES],
    ids=[case[0] for case in SEGMENT_CASES],
)
def test_claim_segment_errors_name_segment_and_element(
    change: Callable[[Segments], Segments],
    segment_id: str,
    element_position: int | None,
    element_code: str | None,
    segment_code: str,
) -> None:
    rejection = rejection_of(rewrite(SAMPLE, change))
    [problem] = rejection.problems
    assert problem.set_control_number == "0001" and problem.segment is not None
    error = problem.segment
    assert (error.segment_id, error.element_position, error.element_code, error.segment_code) == (
        segment_id, element_position, element_code, segment_code,
    )  # fmt: skip
    assert error.position > 1


def test_segment_position_counts_from_st() -> None:
    [problem] = rejection_of(rewrite(SAMPLE, replace(CLM, CLM.replace("235.00", "X")))).problems
    assert problem.segment is not None and problem.segment.position == 18  # ST is line 3, CLM line 20


def test_error_details_do_not_repeat_element_values() -> None:
    text = rewrite(
        SAMPLE, replace("CLM*PCN1001*235.00***11:B:1*Y*A*Y*Y", "CLM*PCN1001*DOEJANE***11:B:1*Y*A*Y*Y")
    )
    [problem] = rejection_of(text).problems
    assert "DOEJANE" not in problem.detail and "PCN1001" not in problem.detail


def test_text_that_is_not_x12_has_no_header() -> None:
    rejection = rejection_of("hello, this is not an interchange")
    assert rejection.header is None and rejection.groups == ()


def test_isa_of_wrong_version_has_no_header() -> None:
    rejection = rejection_of(SAMPLE.replace("*00501*", "*00401*", 1))
    assert rejection.header is None


def test_unreadable_segment_later_still_yields_isa_and_gs() -> None:
    rejection = rejection_of(SAMPLE.replace("BHT*0019", "B@T*0019"))
    assert rejection.header is not None and rejection.header.control_number == "000000101"
    assert [g.control_number for g in rejection.groups] == ["101"]
    assert "segment id" in rejection.problems[0].detail


def test_duplicate_transaction_set_control_numbers_are_rejected() -> None:
    (_,) = read_interchange(SAMPLE).groups

    def two_sets(segments: Segments) -> Segments:
        st = next(i for i, s in enumerate(segments) if s[0] == "ST")
        se = next(i for i, s in enumerate(segments) if s[0] == "SE")
        body = segments[st : se + 1]
        return segments[: se + 1] + [list(s) for s in body] + [["GE", "2", "101"], segments[-1]]

    text = rewrite(SAMPLE, lambda segs: two_sets([s for s in segs if s[0] != "GE"]))
    [problem] = rejection_of(text).problems
    assert problem.set_code == "23"


def test_interchange_without_group_is_rejected() -> None:
    text = rewrite(SAMPLE, lambda segs: [segs[0], ["IEA", "0", "000000101"]])
    assert "no functional group" in rejection_of(text).problems[0].detail
