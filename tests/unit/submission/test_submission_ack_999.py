"""Reading 999 acknowledgements: accepted, rejected, partial, and malformed input that must be refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from submission_pyx12 import pyx12_errors_in_parallel

from services.submission.domain import AckParseError
from services.submission.domain.ack_999 import parse_999, parse_999_all
from shared.x12.tokenizer import X12SyntaxError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "999"
ACCEPTED = (FIXTURES / "999_accepted.x12").read_text()
REJECTED = (FIXTURES / "999_rejected.x12").read_text()
PARTIAL = (FIXTURES / "999_partially_accepted.x12").read_text()


def test_fixtures_pass_pyx12() -> None:
    paths = sorted(str(p) for p in FIXTURES.glob("*.x12"))
    assert len(paths) == 3
    assert pyx12_errors_in_parallel(paths) == []


def test_accepted() -> None:
    ack = parse_999(ACCEPTED)
    assert (ack.functional_id, ack.group_control_number, ack.version) == ("HC", "101", "005010X222A1")
    assert ack.status == "A" and ack.accepted
    assert (ack.transaction_sets_included, ack.transaction_sets_received, ack.transaction_sets_accepted) == (
        1,
        1,
        1,
    )
    [transaction_set] = ack.transaction_sets
    assert (transaction_set.transaction_set_id, transaction_set.control_number) == ("837", "0001")
    assert transaction_set.status == "A" and transaction_set.accepted
    assert transaction_set.segment_errors == () and transaction_set.error_codes == ()


def test_rejected_locates_each_error() -> None:
    ack = parse_999(REJECTED)
    assert ack.group_control_number == "102" and ack.status == "R" and not ack.accepted
    assert ack.transaction_sets_accepted == 0
    [transaction_set] = ack.transaction_sets
    assert (
        transaction_set.status == "R"
        and transaction_set.error_codes == ("5",)
        and not transaction_set.accepted
    )
    located = [(e.segment_id, e.position, e.loop_id, e.error_code) for e in transaction_set.segment_errors]
    assert located == [("CLM", 21, "2300", "8"), ("NM1", 29, "2010", "8"), ("REF", 33, "2300", "I6")]
    assert [e.patient_control_number for e in transaction_set.segment_errors] == [
        "PCN1001",
        "PCN1002",
        "PCN1003",
    ]

    charge_error = transaction_set.segment_errors[0].element_errors[0]
    assert (charge_error.element_position, charge_error.data_element_reference, charge_error.error_code) == (
        2,
        "782",
        "6",
    )
    assert charge_error.bad_value == "12X.5" and charge_error.component_position is None
    missing_id = transaction_set.segment_errors[1].element_errors[0]
    assert (missing_id.element_position, missing_id.error_code, missing_id.bad_value) == (9, "1", None)

    trigger = transaction_set.segment_errors[2].contexts[1]
    assert trigger.name == "SITUATIONAL TRIGGER" and trigger.reference is None
    assert (trigger.segment_id, trigger.segment_position, trigger.loop_id) == ("CLM", 31, "2300")
    assert (trigger.element_position, trigger.component_position, trigger.data_element_reference) == (
        5,
        3,
        "1325",
    )


def test_partially_accepted_group() -> None:
    ack = parse_999(PARTIAL)
    assert ack.status == "P" and not ack.accepted
    assert [(t.control_number, t.status, t.accepted) for t in ack.transaction_sets] == [
        ("0001", "A", True),
        ("0002", "R", False),
        ("0003", "E", True),
    ]
    hl_error = ack.transaction_sets[1].segment_errors[0]
    assert (hl_error.segment_id, hl_error.loop_id, hl_error.error_code, hl_error.element_errors) == (
        "HL",
        None,
        "I8",
        (),
    )
    date_error = ack.transaction_sets[2].segment_errors[0].element_errors[0]
    assert date_error.error_code == "8" and date_error.bad_value == "20261399"
    assert date_error.contexts[0].segment_id == "SV1" and date_error.contexts[0].segment_position == 38


def test_component_and_repetition_positions() -> None:
    text = REJECTED.replace("IK4*2*782*6*12X.5~", "IK4*5:3:2*1325*7~")
    element_error = parse_999(text).transaction_sets[0].segment_errors[0].element_errors[0]
    assert (
        element_error.element_position,
        element_error.component_position,
        element_error.repetition_position,
    ) == (
        5,
        3,
        2,
    )


def test_several_999s_in_one_interchange() -> None:
    second = (
        "ST*999*0002*005010X231A1~\nAK1*HC*555*005010X222A1~\nAK2*837*0009*005010X222A1~\nIK5*A~\nAK9*A*1*1*1~\n"
        "SE*6*0002~\n"
    )
    text = ACCEPTED.replace("GE*1*901~\n", second + "GE*2*901~\n")
    assert [a.group_control_number for a in parse_999_all(text)] == ["101", "555"]
    with pytest.raises(AckParseError, match="expected one 999 transaction set, found 2"):
        parse_999(text)


def test_other_delimiters_and_a_leading_ta1() -> None:
    # Newline as the segment terminator, as some clearinghouses send it.
    text = REJECTED.replace("*", "|").replace(":", ">").replace("~\n", "\n")
    text = text.replace("\nGS|", "\nTA1|000000001|261103|1410|A|000\nGS|", 1)
    ack = parse_999(text)
    assert ack.group_control_number == "102"
    trigger = ack.transaction_sets[0].segment_errors[2].contexts[1]
    assert (trigger.element_position, trigger.component_position) == (5, 3)
    assert ack.transaction_sets[0].segment_errors[0].patient_control_number == "PCN1001"


def _without(text: str, segment: str) -> str:
    assert segment in text
    return text.replace(segment, "")


MALFORMED = [
    ("not x12", lambda t: "hello world", "ISA"),
    ("truncated ISA", lambda t: t[:50], "ISA"),
    ("missing IEA", lambda t: _without(t, "IEA*1*000000902~\n"), "GE"),
    ("IEA control number", lambda t: t.replace("IEA*1*000000902", "IEA*1*000000903"), "IEA"),
    ("IEA group count", lambda t: t.replace("IEA*1*", "IEA*2*"), "IEA"),
    ("GE control number", lambda t: t.replace("GE*1*902", "GE*1*903"), "GE"),
    ("GE transaction count", lambda t: t.replace("GE*1*902", "GE*3*902"), "GE"),
    ("SE count", lambda t: t.replace("SE*15*0001", "SE*14*0001"), "SE"),
    ("SE control number", lambda t: t.replace("SE*15*0001", "SE*15*0002"), "SE"),
    ("not a 999", lambda t: t.replace("ST*999*", "ST*997*"), "ST"),
    ("missing AK1", lambda t: _without(t, "AK1*HC*102*005010X222A1~\n").replace("SE*15", "SE*14"), "AK2"),
    ("missing AK9", lambda t: _without(t, "AK9*R*1*1*0~\n").replace("SE*15", "SE*14"), "SE"),
    ("missing IK5", lambda t: _without(t, "IK5*R*5~\n").replace("SE*15", "SE*14"), "AK9"),
    ("unknown IK5 code", lambda t: t.replace("IK5*R*5", "IK5*Q*5"), "IK5"),
    ("unknown AK9 code", lambda t: t.replace("AK9*R*", "AK9*Z*"), "AK9"),
    ("AK9 count not numeric", lambda t: t.replace("AK9*R*1*1*0", "AK9*R*1*one*0"), "AK9"),
    ("IK3 position missing", lambda t: t.replace("IK3*CLM*21*", "IK3*CLM**"), "IK3"),
    ("IK4 position not numeric", lambda t: t.replace("IK4*2*782", "IK4*B*782"), "IK4"),
    ("IK4 error code missing", lambda t: t.replace("IK4*9*67*1~", "IK4*9*67~"), "IK4"),
    ("stray segment", lambda t: t.replace("IK5*R*5~", "IK5*R*5~\nNM1*XX~").replace("SE*15", "SE*16"), "NM1"),
    ("bad segment id", lambda t: t.replace("IK5*R*5~", "IK5*R*5~\n$$*1~"), "$$"),
]


@pytest.mark.parametrize(("case", "mutate", "segment_id"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_999_names_the_segment(case, mutate, segment_id: str) -> None:
    with pytest.raises(AckParseError) as raised:
        parse_999(mutate(REJECTED))
    assert isinstance(raised.value, X12SyntaxError)
    assert raised.value.segment_id == segment_id
    assert f" {segment_id})" in str(raised.value)
