"""276 inquiries for varied claims (TR3 layout, simulator round trip) and 277 responses read back."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from services.submission.domain.ack_277ca import parse_277ca
from services.submission.domain.claim_status_inquiry_276 import ClaimStatusInquiry, write_276
from services.submission.domain.claim_status_response_277 import parse_277
from services.submission.domain.errors import AckParseError
from services.submission.domain.submission_plan import Submitter
from shared.contracts.encounter import Encounter
from tests.support.encounters import CODED_DATE_OF_SERVICE, days_after_service, encounter_for
from tests.unit.submission_followup.x212_structure import problems_276
from tools.clearinghouse.claims import BillingProvider, PersonName, ServiceLine, SubmittedClaim
from tools.clearinghouse.ledger import ClaimRecord, InterchangeRecord, Ledger
from tools.clearinghouse.outbound_envelope import OutboundControl
from tools.clearinghouse.x12_277 import read_276, write_277

NOW = dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.UTC)
PCN = "ABCDEF0123456789ABCD"


def _dependent(payer: str) -> dict[str, Any]:
    encounter = encounter_for(payer)
    coverage = encounter["coverages"][0]
    coverage["relationship"] = "child"
    coverage["subscriber"] = {**copy.deepcopy({k: encounter["patient"][k] for k in
                                               ("last_name", "address", "sex")}),
                              "first_name": "PARENT", "date_of_birth": "1970-05-05"}
    return encounter


def _institutional(payer: str) -> dict[str, Any]:
    encounter = encounter_for(payer)
    encounter.update(claim_type="institutional", place_of_service="22", type_of_bill="0131",
                     admission_date="2026-11-01", admission_hour=9, discharge_date="2026-11-03", discharge_hour=15,
                     patient_status="01",
                     attending_provider={"npi": "1987654328", "first_name": "Alan", "last_name": "Grant"})
    for line, revenue_code in zip(encounter["service_lines"], ("0510", "0300"), strict=True):
        line["revenue_code"] = revenue_code
    return encounter


def _multi_day(payer: str) -> dict[str, Any]:
    encounter = encounter_for(payer)
    encounter["service_lines"][1]["date_of_service"] = days_after_service(2)
    encounter["date_of_service_through"] = days_after_service(2)
    return encounter


CLAIMS = {
    "patient is the subscriber": (lambda: encounter_for("SIMACK"), "PCCN0001"),
    "dependent child": (lambda: _dependent("SIMACK"), None),
    "institutional bill": (lambda: _institutional("SIMPAY"), "PCCN0002"),
    "service date range": (lambda: _multi_day("SIMDNY"), None),
}


def _inquiry(case: str, trace: str = "TRACE1") -> ClaimStatusInquiry:
    make, payer_claim_number = CLAIMS[case]
    return ClaimStatusInquiry(Encounter.model_validate(make()), PCN, trace, payer_claim_number)


def _276(*inquiries: ClaimStatusInquiry) -> str:
    return write_276(Submitter().header(4242, NOW), inquiries)


@pytest.mark.parametrize("case", CLAIMS)
def test_each_claim_gets_a_276_in_the_x212_layout(case: str) -> None:
    inquiry = _inquiry(case)
    x12 = _276(inquiry)
    assert problems_276(x12) == []
    [asked] = read_276(x12).claims  # the simulator reads it back
    assert asked.trace_number == "TRACE1" and asked.references.get("EJ") == PCN
    assert asked.references.get("1K") == inquiry.payer_claim_control_number
    assert Decimal(asked.total_charge or "") == inquiry.total_charge
    assert (asked.dependent is not None) == (case == "dependent child")
    assert ("BLT" in asked.references) == (case == "institutional bill")


def test_several_claims_share_one_276_grouped_by_payer_and_provider() -> None:
    inquiries = [_inquiry(case, f"TRACE{n}") for n, case in enumerate(CLAIMS)]
    x12 = _276(*inquiries)
    assert problems_276(x12) == []
    assert x12.count("HL*") == 3 * 3 + 4 + 1  # 3 payers x (20, 21, 19), 4 subscribers, 1 dependent
    assert [c.trace_number for c in read_276(x12).claims] == [f"TRACE{n}" for n in range(4)]


def test_structure_check_catches_a_broken_276() -> None:
    x12 = _276(_inquiry("patient is the subscriber"))
    assert problems_276(x12.replace("HL*4*3*22*0~", "HL*4*2*22*0~")) != []  # subscriber under the receiver
    assert problems_276(x12.replace("TRN*1*TRACE1~\n", "")) != []


def _ledger(status: str, accepted: bool, adjudication: str | None, payer: str = "SIMACK") -> Ledger:
    ledger = Ledger(lambda: NOW)
    claim = SubmittedClaim("0001", PCN, Decimal("227"), "11", "1", payer, "PLAN", "CI",
                           BillingProvider("CLINIC", "1234567893"), PersonName("L", "F"), "M1",
                           PersonName("L", "F"), True, (ServiceLine(1, "HC", "99213", (), Decimal("227"), Decimal(1)),))
    record = ClaimRecord(claim, status, accepted, "PCCN9" if accepted else None, False, adjudication)
    ledger.interchanges.append(InterchangeRecord("1", "key", NOW, True, [record]))
    return ledger


@pytest.mark.parametrize(("ledger", "category", "code", "finalized", "not_found"), [
    (Ledger(lambda: NOW), "A4", "35", False, True),
    (_ledger("A2:20", True, "none"), "P1", "20", False, False),
    (_ledger("A2:20", True, "paid"), "F1", "65", True, False),
    (_ledger("A2:20", True, "denied"), "F2", "1", True, False),
    (_ledger("A3:21", False, None), "A3", "21", False, False),
    (_ledger("A2:20", True, None, payer="SIMPAY"), "A4", "35", False, True),  # another payer's claim
])
def test_simulator_277_answers_are_read_back(ledger: Ledger, category: str, code: str, finalized: bool,
                                              not_found: bool) -> None:
    x12_277 = write_277(read_276(_276(_inquiry("patient is the subscriber"))), ledger, OutboundControl(7, 7, NOW))
    [answer] = parse_277(x12_277)
    assert (answer.trace_number, answer.payer_id, answer.patient_control_number) == ("TRACE1", "SIMACK", PCN)
    assert (answer.status_category_code, answer.status_code) == (category, code)
    assert (answer.finalized, answer.not_found) == (finalized, not_found)
    assert answer.service_date_from == dt.date.fromisoformat(CODED_DATE_OF_SERVICE)
    assert answer.statuses[0].total_charge == Decimal("227")
    assert answer.payer_claim_control_number == ("PCCN9" if category in ("P1", "F1", "F2") else None)


def test_277_for_a_dependent_is_read() -> None:
    x12_277 = write_277(read_276(_276(_inquiry("dependent child"))), Ledger(lambda: NOW), OutboundControl(8, 8, NOW))
    assert "HL*5*4*23~" in x12_277
    [answer] = parse_277(x12_277)
    assert answer.trace_number == "TRACE1" and answer.status_category_code == "A4"


def _answer() -> str:
    return write_277(read_276(_276(_inquiry("patient is the subscriber"))), Ledger(lambda: NOW),
                     OutboundControl(9, 9, NOW))


@pytest.mark.parametrize(("name", "mangle"), [
    ("truncated", lambda x: x[: x.index("STC*")]),
    ("wrong delimiters", lambda x: x.replace("*", "|", 3)),
    ("no STC for the claim", lambda x: "".join(s for s in x.splitlines(keepends=True) if not s.startswith("STC"))
     .replace("SE*15*", "SE*14*")),
    ("STC01 without a status code", lambda x: x.replace("STC*A4:35*", "STC*A4*")),
    ("a 277CA instead", lambda x: x.replace("BHT*0010*08*", "BHT*0085*08*")),
    ("a 999 instead", lambda x: x.replace("ST*277*", "ST*999*")),
])
def test_malformed_277_is_refused_with_its_position(name: str, mangle: Any) -> None:
    with pytest.raises(AckParseError) as refused:
        parse_277(mangle(_answer()))
    assert refused.value.segment_index is not None or "found" in str(refused.value)
    assert "LOPEZ" not in str(refused.value) and "MARIA" not in str(refused.value)


def test_a_277_response_is_not_taken_for_a_277ca() -> None:
    with pytest.raises(AckParseError, match="BHT01 must be 0085"):
        parse_277ca(_answer())
