"""999 verdicts per transaction set and 277CA statuses, in plain language without echoing bad values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from services.submission.domain.ack_277ca import parse_277ca
from services.submission.domain.ack_999 import ElementError, SegmentError, parse_999
from services.submission.domain.ack_reasons import (
    claim_status_reason,
    element_reason,
    segment_reason,
    status_reason,
    transaction_set_verdict,
)
from services.submission.domain.claim_acknowledgement import ClaimStatus

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
PARTIAL = (FIXTURES / "999" / "999_partially_accepted.x12").read_text()
MIXED_277CA = (FIXTURES / "277ca" / "277ca_rejected_mixed.x12").read_text()


def test_partially_accepted_999_gives_each_transaction_set_its_own_verdict() -> None:
    ack = parse_999(PARTIAL)
    assert ack.status == "P"
    accepted, rejected, with_errors = (transaction_set_verdict(ts) for ts in ack.transaction_sets)
    assert (accepted.status, accepted.accepted, accepted.reasons) == ("A", True, ())
    assert (rejected.status, rejected.accepted) == ("R", False)
    assert rejected.reasons == ("HL segment at position 3: implementation segment below its minimum use",)
    # E is accepted; its errors are kept as warnings.
    assert (with_errors.status, with_errors.accepted) == ("E", True)
    assert with_errors.reasons == ("DTP segment at position 40 in loop 2400: segment has data element errors; "
                                   "element 03 (data element 1251): invalid date",)


def test_bad_value_an_ik4_echoes_is_never_in_a_reason() -> None:
    ack = parse_999(PARTIAL)
    [segment_error] = ack.transaction_sets[2].segment_errors
    assert segment_error.element_errors[0].bad_value == "20261399"
    verdict = transaction_set_verdict(ack.transaction_sets[2])
    assert "20261399" not in str(verdict.as_json())


@pytest.mark.parametrize(("code", "meaning"), [
    ("1", "required data element missing"), ("7", "invalid code value"), ("I12", "implementation pattern match"),
    ("99", "element error 99"),  # unknown codes are shown by number, not dropped
])
def test_element_error_codes(code: str, meaning: str) -> None:
    error = ElementError(element_position=9, component_position=None, repetition_position=None,
                         data_element_reference="67", error_code=code, bad_value="SMITH", contexts=())
    reason = element_reason(error)
    assert reason.startswith("element 09 (data element 67): ") and meaning in reason and "SMITH" not in reason


@pytest.mark.parametrize(("code", "meaning"), [
    ("3", "required segment missing"), ("8", "segment has data element errors"), ("I4", "'not used'"),
    (None, "in error"),
])
def test_segment_error_codes(code: str | None, meaning: str) -> None:
    error = SegmentError(segment_id="NM1", position=12, loop_id="2010BA", error_code=code, contexts=(),
                         element_errors=())
    assert segment_reason(error).startswith("NM1 segment at position 12 in loop 2010BA: ")
    assert meaning in segment_reason(error)


def _status(category: str, code: str, entity: str | None = None) -> ClaimStatus:
    return ClaimStatus(category, code, entity, dt.date(2026, 11, 4), None, None, None)


@pytest.mark.parametrize(("category", "accepted", "rejected", "words"), [
    ("A1", True, False, "received"),
    ("A2", True, False, "accepted into the adjudication system"),
    ("A3", False, True, "returned as unprocessable"),
    ("A4", False, True, "not found"),
    ("A6", False, True, "missing information"),
    ("A7", False, True, "invalid information"),
    ("A8", False, True, "relational field"),
])
def test_277ca_categories(category: str, accepted: bool, rejected: bool, words: str) -> None:
    status = _status(category, "21", "85")
    assert (status.accepted, status.rejected) == (accepted, rejected)
    assert status_reason(status).startswith(f"{category} ")
    assert words in status_reason(status) and "(billing provider)" in status_reason(status)


def test_rejecting_statuses_lead_the_claim_reason() -> None:
    reason = claim_status_reason((_status("A1", "19"), _status("A7", "562", "85")))
    assert reason.startswith("A7 rejected for invalid information: 562 entity's national provider identifier (NPI) "
                             "(billing provider)")
    assert "A1 received" in reason


def test_277ca_rejection_reasons_from_a_real_file() -> None:
    _, npi_mismatch, _ = parse_277ca(MIXED_277CA).claims
    reason = claim_status_reason(npi_mismatch.statuses)
    assert "562 entity's national provider identifier (NPI) (billing provider)" in reason
    assert "128 entity's tax id (billing provider)" in reason and "A3 returned as unprocessable" in reason
    assert "NPI AND TAX ID DO NOT MATCH" not in reason  # STC12 free text is the payer's, not ours to repeat
