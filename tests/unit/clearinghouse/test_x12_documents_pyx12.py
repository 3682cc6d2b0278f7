"""Every 999, 277CA and 835 the simulator writes passes pyx12 with zero errors, and every 835 balances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from shared.x12.tokenizer import element
from tools.clearinghouse.adjudication import ClaimAdjudication, adjudicate, reverse
from tools.clearinghouse.claim_acknowledgement import acknowledge_claim
from tools.clearinghouse.envelope_837 import read_interchange
from tools.clearinghouse.ledger import Ledger
from tools.clearinghouse.outbound_envelope import OutboundControl, Party
from tools.clearinghouse.payer_rules import load_payers
from tools.clearinghouse.problems import InterchangeRejected
from tools.clearinghouse.settings import DEFAULT_PAYERS_FILE
from tools.clearinghouse.x12_277ca import write_277ca
from tools.clearinghouse.x12_835 import Remittance, write_835
from tools.clearinghouse.x12_999 import accepted_groups, rejected_groups, write_999

from .testkit import balance_problems, read_fixture, replace, rewrite, segments_of

PAYERS = load_payers(DEFAULT_PAYERS_FILE)
NOW = dt.datetime(2026, 1, 20, 10, 30, tzinfo=dt.UTC)
CLEARINGHOUSE = Party("ZZ", "SIMCLEARING", "SIMCLEARING")
SUBMITTER = Party("ZZ", "CLAIMLINE", "CLAIMLINE")
Validate = Callable[[str], list[str]]


def control(number: int = 7) -> OutboundControl:
    return OutboundControl(number, number, NOW)


def rejected_999(text: str) -> str:
    with pytest.raises(InterchangeRejected) as caught:
        read_interchange(text)
    rejection = caught.value
    groups = rejected_groups(rejection.groups, rejection.problems, rejection.transaction_sets)
    return write_999(groups, CLEARINGHOUSE, SUBMITTER, control())


def adjudicated(fixture: str, payer_id: str, text: str | None = None) -> list[ClaimAdjudication]:
    claims = read_interchange(text or read_fixture(fixture)).claims
    results = [
        adjudicate(c, PAYERS[payer_id], f"CCN{n}") for n, c in enumerate(claims) if c.payer_id == payer_id
    ]
    return [r for r in results if r is not None]


def era(claims: list[ClaimAdjudication], payer_id: str) -> str:
    remittance = Remittance(
        PAYERS[payer_id], claims[0].claim.billing_provider, tuple(claims), "TRACE1", NOW.date()
    )
    return write_835(remittance, CLEARINGHOUSE, SUBMITTER, control())


@pytest.mark.parametrize(
    "fixture", ["837p_simpay_two_claims.x12", "837p_mixed_payers.x12", "837i_simpay_outpatient.x12"]
)
def test_accepting_999_is_valid(fixture: str, validate_x12: Validate) -> None:
    text = write_999(
        accepted_groups(read_interchange(read_fixture(fixture))), CLEARINGHOUSE, SUBMITTER, control()
    )
    assert validate_x12(text) == []
    [ak9] = segments_of(text, "AK9")
    assert ak9 == ["AK9", "A", "1", "1", "1"]
    assert segments_of(text, "IK5") == [["IK5", "A"]]


SAMPLE = read_fixture("837p_simpay_two_claims.x12")
CLM = "CLM*PCN1001*235.00***11:B:1*Y*A*Y*Y"
REJECTIONS = {
    "SE01 wrong": (
        rewrite(SAMPLE, replace("SE*39*0001", "SE*40*0001"), recount=False),
        ["IK5", "R", "4"],
        [],
    ),
    "GE01 wrong": (rewrite(SAMPLE, replace("GE*1*101", "GE*2*101")), None, ["5"]),
    "GS08 not supported": (SAMPLE.replace("005010X222A1", "005010X222A2"), None, ["2"]),
    "CLM02 not a number": (rewrite(SAMPLE, replace(CLM, CLM.replace("235.00", "X"))), ["IK5", "R", "5"], []),
    "unreadable segment": (SAMPLE.replace("BHT*0019", "B@T*0019"), ["IK5", "R", "5"], []),
    "IEA02 differs": (rewrite(SAMPLE, replace("IEA*1*000000101", "IEA*1*000000777")), None, []),
}


@pytest.mark.parametrize(("text", "ik5", "ak905"), list(REJECTIONS.values()), ids=list(REJECTIONS))
def test_rejecting_999_is_valid(
    text: str, ik5: list[str] | None, ak905: list[str], validate_x12: Validate
) -> None:
    ack = rejected_999(text)
    assert validate_x12(ack) == []
    [ak9] = segments_of(ack, "AK9")
    assert ak9[:5] == ["AK9", "R", "1", "1", "0"] and ak9[5:] == ak905
    assert segments_of(ack, "IK5") == ([ik5] if ik5 else [])
    [ak1] = segments_of(ack, "AK1")
    assert ak1[1:3] == ["HC", "101"]


def test_rejecting_999_points_at_an_unrecognized_segment(validate_x12: Validate) -> None:
    ack = rejected_999(SAMPLE.replace("BHT*0019", "B@T*0019"))
    assert segments_of(ack, "IK3") == [["IK3", "B@T", "2", "", "1"]]


def test_rejecting_999_points_at_segment_element_and_claim(validate_x12: Validate) -> None:
    ack = rejected_999(rewrite(SAMPLE, replace(CLM, CLM.replace("235.00", "X"))))
    assert segments_of(ack, "IK3") == [["IK3", "CLM", "18", "", "8"]]
    assert segments_of(ack, "CTX") == [["CTX", "CLM01:PCN1001"]]
    assert segments_of(ack, "IK4") == [["IK4", "2", "", "6"]]


@pytest.mark.parametrize(
    "fixture", ["837p_simpay_two_claims.x12", "837p_mixed_payers.x12", "837i_simpay_outpatient.x12"]
)
def test_277ca_is_valid(fixture: str, validate_x12: Validate) -> None:
    interchange = read_interchange(read_fixture(fixture))
    ledger = Ledger(lambda: NOW)
    acks = [acknowledge_claim(c, PAYERS, ledger) for c in interchange.claims]
    text = write_277ca(interchange, acks, CLEARINGHOUSE, SUBMITTER, control())
    assert validate_x12(text) == []
    assert [element(s, 2) for s in segments_of(text, "TRN") if element(s, 1) == "2" and "PCN" in s[2]] == [
        c.patient_control_number for c in interchange.claims
    ]


def test_277ca_statuses_per_payer(validate_x12: Validate) -> None:
    interchange = read_interchange(read_fixture("837p_mixed_payers.x12"))
    ledger = Ledger(lambda: NOW)
    acks = [acknowledge_claim(c, PAYERS, ledger) for c in interchange.claims]
    text = write_277ca(interchange, acks, CLEARINGHOUSE, SUBMITTER, control())
    claim_statuses = [s[1] for s in segments_of(text, "STC") if s[1] not in ("A1:19",)]
    assert claim_statuses == ["A2:20", "A3:21", "A3:26:PR", "A2:20"]  # SIMDNY, SIMREJ, unknown, SIMACK
    payer_ids = [s[9] for s in segments_of(text, "NM1") if s[1] == "PR"]
    assert payer_ids == ["SIMDNY", "SIMREJ", "NOSUCHPAYER", "SIMACK"]
    claim_numbers = [s[2] for s in segments_of(text, "REF") if s[1] == "1K"]
    assert claim_numbers == [acks[0].payer_claim_control_number, acks[3].payer_claim_control_number]


def test_835_paying_professional_claims(validate_x12: Validate) -> None:
    text = era(adjudicated("837p_simpay_two_claims.x12", "SIMPAY"), "SIMPAY")
    assert validate_x12(text) == []
    assert balance_problems(text) == []
    [bpr] = segments_of(text, "BPR")
    assert (bpr[1], bpr[2], bpr[4]) == ("I", "164.4", "CHK")  # 77.40 + 87.00
    [trn] = segments_of(text, "TRN")
    assert trn == ["TRN", "1", "TRACE1", "1990000002"]
    assert [s[7] for s in segments_of(text, "CLP")] == ["CCN0", "CCN1"]
    assert [s[1] for s in segments_of(text, "SVC")] == ["HC:99213", "HC:80053", "HC:71046:26", "HC:99214:25"]
    assert [s[2] for s in segments_of(text, "REF") if s[1] == "6R"] == [
        "PCN1001L1", "PCN1001L2", "PCN1001L3", "PCN1002L1",
    ]  # fmt: skip
    assert ["N1", "PE", "RIVERSIDE FAMILY MEDICINE", "XX", "1234567893"] in segments_of(text, "N1")
    assert ["PER", "BL", "PROVIDER SERVICES", "TE", "8005550102"] in segments_of(text, "PER")


def test_835_denying_claims(validate_x12: Validate) -> None:
    text = era(adjudicated("837p_mixed_payers.x12", "SIMDNY"), "SIMDNY")
    assert validate_x12(text) == []
    assert balance_problems(text) == []
    [clp] = segments_of(text, "CLP")
    assert clp[2:6] == ["4", "320", "0", "0"]
    assert segments_of(text, "CAS") == [["CAS", "CO", "197", "220"], ["CAS", "CO", "197", "100"]]
    assert segments_of(text, "LQ") == [["LQ", "HE", "M62"], ["LQ", "HE", "M62"]]
    [bpr] = segments_of(text, "BPR")
    assert bpr[1:5] == ["H", "0", "C", "NON"]


def test_835_institutional_claim_carries_revenue_codes(validate_x12: Validate) -> None:
    text = era(adjudicated("837i_simpay_outpatient.x12", "SIMPAY"), "SIMPAY")
    assert validate_x12(text) == []
    assert balance_problems(text) == []
    assert [s[4] for s in segments_of(text, "SVC")] == ["0450", "0320"]
    [clp] = segments_of(text, "CLP")
    assert clp[8:10] == ["13", "1"]


def test_835_reversal_carries_the_debt_forward(validate_x12: Validate) -> None:
    original = adjudicated("837p_simpay_two_claims.x12", "SIMPAY")[0]
    text = era([reverse(original)], "SIMPAY")
    assert validate_x12(text) == []
    assert balance_problems(text) == []
    [clp] = segments_of(text, "CLP")
    assert clp[2:5] == ["22", "-235", "-77.4"]
    [plb] = segments_of(text, "PLB")
    assert plb[3:] == ["FB:TRACE1", "-77.4"]


def test_835_mixing_payment_and_reversal(validate_x12: Validate) -> None:
    first, second = adjudicated("837p_simpay_two_claims.x12", "SIMPAY")
    text = era([reverse(first), second], "SIMPAY")
    assert validate_x12(text) == []
    assert balance_problems(text) == []
    assert segments_of(text, "PLB") == []
    [bpr] = segments_of(text, "BPR")
    assert bpr[2] == "9.6"  # 87.00 - 77.40


def test_835_patient_who_is_not_the_subscriber_and_units(validate_x12: Validate) -> None:
    text = (
        read_fixture("837p_mixed_payers.x12")
        .replace("PI*SIMREJ", "PI*SIMPAY")
        .replace("PI*SIMDNY", "PI*SIMPAY")
    )
    text = text.replace("SV1*HC:99212*95.00*UN*1***1", "SV1*HC:99212*95.00*UN*3***1")
    era_text = era(adjudicated("", "SIMPAY", text), "SIMPAY")
    assert validate_x12(era_text) == []
    assert balance_problems(era_text) == []
    insured = [s for s in segments_of(era_text, "NM1") if s[1] == "IL"]
    assert [s[9] for s in insured] == ["MEM300001"]
    assert ["SVC", "HC:99212", "95", "51", "", "3"] in segments_of(era_text, "SVC")


def test_835_replacement_names_the_claim_it_replaces(validate_x12: Validate) -> None:
    claims = read_interchange(read_fixture("837p_simpay_corrections.x12")).claims
    replacement = adjudicate(claims[0], PAYERS["SIMPAY"], "CCNNEW")
    assert replacement is not None
    text = era([replacement], "SIMPAY")
    assert validate_x12(text) == []
    assert ["REF", "F8", "REPLACEDCCN"] in segments_of(text, "REF")
    [clp] = segments_of(text, "CLP")
    assert (clp[7], clp[9]) == ("CCNNEW", "7")


def test_balance_check_notices_an_unbalanced_835() -> None:
    text = era(adjudicated("837p_simpay_two_claims.x12", "SIMPAY"), "SIMPAY").replace(
        "CAS*CO*45*20~", "CAS*CO*45*21~"
    )
    assert balance_problems(text)
