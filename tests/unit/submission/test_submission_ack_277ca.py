"""Reading 277CA claim acknowledgements: per-claim status, acceptance, lines, and malformed input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from submission_pyx12 import pyx12_errors_in_parallel

from services.submission.domain import AckParseError
from services.submission.domain.ack_277ca import parse_277ca
from services.submission.domain.claim_acknowledgement import ClaimStatus, is_accepted
from shared.x12.tokenizer import X12SyntaxError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "277ca"
ACCEPTED = (FIXTURES / "277ca_accepted_two_claims.x12").read_text()
MIXED = (FIXTURES / "277ca_rejected_mixed.x12").read_text()


def test_fixtures_pass_pyx12() -> None:
    paths = sorted(str(p) for p in FIXTURES.glob("*.x12"))
    assert len(paths) == 2
    assert pyx12_errors_in_parallel(paths) == []


def test_accepted_claims() -> None:
    report = parse_277ca(ACCEPTED)
    assert [c.patient_control_number for c in report.claims] == ["PCN1001", "PCN1002"]
    assert all(c.accepted for c in report.claims)
    first, second = report.claims
    assert (first.status_category_code, first.status_code, first.entity_code) == ("A2", "20", "PR")
    assert first.status_date == dt.date(2026, 11, 4) and first.total_charge == Decimal("227")
    assert first.payer_claim_control_number == "2026308000123" and first.clearinghouse_trace_number is None
    assert (first.payer_id, first.billing_provider_id) == ("SIMPAY", "1234567893")
    assert first.service_date_from == first.service_date_to == dt.date(2026, 11, 2)
    # Two STC segments: receipt (A1) then acceptance (A2); the first one is the headline status.
    assert [(s.category_code, s.status_code) for s in second.statuses] == [("A1", "19"), ("A2", "20")]
    assert second.clearinghouse_trace_number == "CH77001"
    assert (second.service_date_from, second.service_date_to) == (dt.date(2026, 11, 1), dt.date(2026, 11, 2))
    assert [(s.category_code, s.action_code) for s in report.batch_statuses] == [("A1", "WQ")]


def test_mixed_file_rejections_with_several_statuses_and_lines() -> None:
    report = parse_277ca(MIXED)
    accepted, npi_mismatch, member_unknown = report.claims
    assert accepted.accepted and accepted.patient_control_number == "PCN2001"

    assert not npi_mismatch.accepted and npi_mismatch.payer_claim_control_number is None
    assert [(s.category_code, s.status_code, s.entity_code) for s in npi_mismatch.statuses] == [
        ("A7", "562", "85"),
        ("A7", "128", "85"),  # STC10 of the same STC segment
        ("A3", "21", "IL"),  # a second STC segment
    ]
    assert npi_mismatch.statuses[0].message == "NPI AND TAX ID DO NOT MATCH PAYER FILE"
    assert (
        npi_mismatch.statuses[1].total_charge == Decimal("300")
        and npi_mismatch.statuses[2].action_code == "U"
    )
    assert npi_mismatch.lines == ()

    assert not member_unknown.accepted and member_unknown.status_category_code == "A6"
    assert member_unknown.total_charge == Decimal("225.5")
    assert [
        (line.line_control_number, line.procedure_code, line.modifiers) for line in member_unknown.lines
    ] == [
        ("2003-1", "99213", ("25",)),
        ("2003-2", "36415", ()),
    ]
    first_line, second_line = member_unknown.lines
    assert (first_line.charge, first_line.units, first_line.accepted) == (
        Decimal("125.5"),
        Decimal("1"),
        False,
    )
    assert first_line.statuses[0].entity_code is None and first_line.service_date_from == dt.date(
        2026, 10, 29
    )
    assert second_line.statuses[0].entity_code == "82" and second_line.service_date_from is None

    assert report.claim("PCN2002") is npi_mismatch and report.claim("NOPE") is None


def _status(category: str) -> ClaimStatus:
    return ClaimStatus(category, "20", None, None, None, None, None)


@pytest.mark.parametrize(
    ("categories", "accepted"),
    [
        (["A1"], True),
        (["A2"], True),
        (["A5"], True),
        (["A3"], False),
        (["A4"], False),
        (["A6"], False),
        (["A7"], False),
        (["A8"], False),
        (["A0"], False),  # forwarded elsewhere: not in adjudication here
        (["E0"], False),
        (["A1", "A2"], True),
        (["A2", "A7"], False),  # any rejecting status sends the claim back
        (["A7", "A1"], False),
    ],
)
def test_acceptance_is_derived_from_status_categories(categories: list[str], accepted: bool) -> None:
    assert is_accepted(tuple(_status(c) for c in categories)) is accepted


def test_several_transaction_sets_are_flattened() -> None:
    body = MIXED[MIXED.index("ST*277") : MIXED.index("GE*")]
    body = body.replace("ST*277*0001*", "ST*277*0002*").replace("*0001~", "*0002~")
    text = MIXED.replace("GE*1*905~", body + "GE*2*905~")
    assert len(parse_277ca(text).claims) == 6


def _claim_segments(text: str, old: str, new: str, count_delta: int = 0) -> str:
    assert old in text
    changed = text.replace(old, new, 1)
    if count_delta:
        se_count = int(changed.split("SE*")[1].split("*")[0])
        changed = changed.replace(f"SE*{se_count}*", f"SE*{se_count + count_delta}*")
    return changed


MALFORMED = [
    ("not a 277", lambda t: t.replace("ST*277*", "ST*999*"), "ST"),
    ("wrong BHT structure", lambda t: t.replace("BHT*0085*", "BHT*0010*"), "BHT"),
    ("unknown HL level", lambda t: t.replace("HL*3*2*19*1", "HL*3*2*99*1"), "HL"),
    ("TRN02 missing", lambda t: t.replace("TRN*2*PCN2002", "TRN*2"), "TRN"),
    ("STC without status code", lambda t: t.replace("STC*A3:21:IL*", "STC*A3*"), "STC"),
    ("STC10 without status code", lambda t: t.replace("*A7:128:85*", "*A7*"), "STC"),
    ("STC02 not a date", lambda t: t.replace("STC*A6:164:IL*20261104", "STC*A6:164:IL*20261399"), "STC"),
    ("STC02 missing on a claim", lambda t: t.replace("STC*A6:164:IL*20261104", "STC*A6:164:IL*"), "STC"),
    ("STC04 not an amount", lambda t: t.replace("*U*225.5", "*U*12X.5"), "STC"),
    ("claim without STC", lambda t: _claim_segments(t, "STC*A6:164:IL*20261104*U*225.5~\n", "", -1), "TRN"),
    ("claim without service date", lambda t: _claim_segments(t, "DTP*472*D8*20261102~\n", "", -1), "TRN"),
    ("service date qualifier", lambda t: t.replace("DTP*472*D8*20261102", "DTP*472*DT*20261102"), "DTP"),
    ("range end not a date", lambda t: t.replace("DTP*472*D8*20261030", "DTP*472*RD8*20261030-2026"), "DTP"),
    ("SVC charge missing", lambda t: t.replace("SVC*HC:36415*100*", "SVC*HC:36415**"), "SVC"),
    ("SVC without procedure", lambda t: t.replace("SVC*HC:36415*", "SVC*HC*"), "SVC"),
    ("patient before provider", lambda t: _claim_segments(t, "HL*3*2*19*1~", "HL*3*2*21*1~"), "HL"),
    (
        "stray segment at source",
        lambda t: _claim_segments(t, "DTP*009*D8*20261104~", "DTP*009*D8*20261104~\nCLM*1~", 1),
        "CLM",
    ),
    (
        "stray segment after claim",
        lambda t: _claim_segments(t, "DTP*472*D8*20261102~", "DTP*472*D8*20261102~\nNM1*XX~", 1),
        "NM1",
    ),
    ("SE count", lambda t: _claim_segments(t, "REF*FJ*2003-2~", "REF*FJ*2003-2~", 1), "SE"),
    ("no IEA", lambda t: t[: t.index("IEA*")], "GE"),
]


@pytest.mark.parametrize(("case", "mutate", "segment_id"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_277ca_names_the_segment(case, mutate, segment_id: str) -> None:
    with pytest.raises(AckParseError) as raised:
        parse_277ca(mutate(MIXED))
    assert isinstance(raised.value, X12SyntaxError)
    assert raised.value.segment_id == segment_id
    message = str(raised.value)
    # Patient data and claim identifiers stay out of messages: they end up in logs and dead letters.
    for phi in ("GRANT", "KIM", "XJH", "PCN200", "20261399", "12X.5", "2026308000200"):
        assert phi not in message
