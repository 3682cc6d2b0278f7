"""Reading a 277 claim status response (005010X212): what the payer says about each claim we asked about.

Hierarchy as in the 276 (HL 20 payer > 21 receiver > 19 provider > 22 subscriber > 23 dependent); each
claim status tracking loop (2200D/2200E) starts with TRN*2 echoing our 276 trace number, then one or
more STC, the payer claim control number (REF*1K), our CLM01 (REF*EJ) and the service dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from services.submission.domain.ack_277ca import read_service_period, status_segments
from services.submission.domain.ack_envelope import SegmentCursor, parse_amount, read_transaction_sets
from services.submission.domain.claim_acknowledgement import ClaimStatus

RESPONSE_STRUCTURE = "0010"  # BHT01
RESPONSE_PURPOSE = "08"  # BHT02: status
_CLAIM_REFERENCES = frozenset({"1K", "BLT", "EJ", "XZ", "VV", "D9"})
# Categories that mean the payer has finished with the claim (finalized) or does not have it.
FINALIZED_CATEGORIES = frozenset({"F0", "F1", "F2", "F3", "F4"})
NOT_FOUND_CATEGORIES = frozenset({"A4", "D0"})


@dataclass(frozen=True, slots=True)
class ClaimStatusResponse:
    """One 2200D/2200E claim status tracking loop."""

    trace_number: str  # TRN02: our 276 trace number
    payer_id: str  # 2100A NM109
    statuses: tuple[ClaimStatus, ...]
    payer_claim_control_number: str | None  # REF*1K
    patient_control_number: str | None  # REF*EJ: our CLM01
    paid_amount: Decimal | None  # STC05 of the first STC
    service_date_from: dt.date | None
    service_date_to: dt.date | None

    @property
    def status_category_code(self) -> str:
        """STC01-1 of the first claim-level status."""
        return self.statuses[0].category_code

    @property
    def status_code(self) -> str:
        """STC01-2 of the first claim-level status."""
        return self.statuses[0].status_code

    @property
    def entity_code(self) -> str | None:
        """STC01-3 of the first claim-level status."""
        return self.statuses[0].entity_code

    @property
    def finalized(self) -> bool:
        """The payer has adjudicated the claim (paid, denied, revised)."""
        return self.status_category_code in FINALIZED_CATEGORIES

    @property
    def not_found(self) -> bool:
        """The payer has no such claim."""
        return self.status_category_code in NOT_FOUND_CATEGORIES


def parse_277(text: str) -> tuple[ClaimStatusResponse, ...]:
    """Every claim status in a 277 response interchange; raises AckParseError when malformed."""
    responses: list[ClaimStatusResponse] = []
    for transaction_set in read_transaction_sets(text, "277"):
        cursor = SegmentCursor(transaction_set)
        bht = cursor.take("BHT")
        if bht.get(1) != RESPONSE_STRUCTURE or bht.get(2) != RESPONSE_PURPOSE:
            raise bht.error(f"BHT01/BHT02 must be {RESPONSE_STRUCTURE}/{RESPONSE_PURPOSE} for a 277 response")
        if cursor.peek_id() is None:
            raise bht.error("277 holds no HL levels after BHT")
        _read_levels(cursor, responses)
    return tuple(responses)


def _read_levels(cursor: SegmentCursor, responses: list[ClaimStatusResponse]) -> None:
    payer_id: str | None = None
    while cursor.peek_id() is not None:
        hl = cursor.take("HL")
        level = hl.require(3)
        if level == "20":
            payer_id = cursor.take("NM1").require(9)
            cursor.take_if("PER")
        elif level in ("21", "19"):
            cursor.take("NM1")
            if level == "19":
                cursor.take_if("NM1")  # 2100C repeats once for a second provider id
            if cursor.take_if("TRN") is not None:
                status_segments(cursor, hl)
        elif level in ("22", "23"):
            if payer_id is None:
                raise hl.error("subscriber or dependent level before its information source (HL 20)")
            cursor.take("NM1")
            while cursor.peek_id() == "TRN":
                responses.append(_claim(cursor, payer_id))
        else:
            raise hl.error("HL03 must be 20, 21, 19, 22 or 23 in a 277 response")
        upcoming = cursor.peek()
        if upcoming is not None and upcoming.segment_id != "HL":
            raise upcoming.error("segment out of place at this hierarchical level")


def _claim(cursor: SegmentCursor, payer_id: str) -> ClaimStatusResponse:
    trn = cursor.take("TRN")
    trace_number = trn.require(2)
    first_stc = cursor.peek()
    statuses = status_segments(cursor, trn, date_required=True)
    paid = parse_amount(first_stc, 5) if first_stc is not None and first_stc.get(5) else None
    references: dict[str, str] = {}
    period: tuple[dt.date, dt.date] | None = None
    while cursor.peek_id() in ("REF", "DTP"):
        if cursor.peek_id() == "REF":
            ref = cursor.take("REF")
            if ref.require(1) not in _CLAIM_REFERENCES:
                raise ref.error("REF01 is not a claim reference a 277 response carries here")
            references[ref.require(1)] = ref.require(2)
        else:
            period = read_service_period(cursor.take("DTP"))
    while cursor.peek_id() == "SVC":  # line statuses: the claim-level status is what follow-up records
        cursor.take("SVC")
        status_segments(cursor, trn, date_required=True)
        while cursor.peek_id() in ("REF", "DTP"):
            cursor.take(cursor.peek_id() or "")
    return ClaimStatusResponse(
        trace_number=trace_number, payer_id=payer_id, statuses=statuses,
        payer_claim_control_number=references.get("1K"), patient_control_number=references.get("EJ"),
        paid_amount=paid, service_date_from=period[0] if period else None,
        service_date_to=period[1] if period else None)
