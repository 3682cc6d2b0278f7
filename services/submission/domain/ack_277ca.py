"""Reading a 277CA claim acknowledgement (005010X214) into per-claim statuses.

The hierarchy is HL 20 information source (payer) > 21 information receiver (us) > 19 billing provider
> PT patient, and each patient level holds one 2200D claim per TRN (TRN02 is our CLM01).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.submission.domain.ack_envelope import (
    PositionedSegment,
    SegmentCursor,
    parse_amount,
    parse_d8,
    parse_d8_text,
    read_transaction_sets,
)
from services.submission.domain.claim_acknowledgement import (
    ClaimAcknowledgement,
    ClaimAcknowledgementReport,
    ClaimStatus,
    LineAcknowledgement,
)

CLAIM_ACKNOWLEDGEMENT_STRUCTURE = "0085"  # BHT01 for a 277CA
# Segments a level may carry that the per-claim result does not need.
_SOURCE_DETAIL = frozenset({"TRN", "DTP"})
_SUMMARY_DETAIL = frozenset({"TRN", "REF", "QTY", "AMT"})


def parse_277ca(text: str) -> ClaimAcknowledgementReport:
    """Every claim acknowledged in the interchange, with the batch-level statuses; raises AckParseError."""
    claims: list[ClaimAcknowledgement] = []
    batch_statuses: list[ClaimStatus] = []
    for transaction_set in read_transaction_sets(text, "277"):
        cursor = SegmentCursor(transaction_set)
        bht = cursor.take("BHT")
        if bht.get(1) != CLAIM_ACKNOWLEDGEMENT_STRUCTURE:
            raise bht.error(f"BHT01 must be {CLAIM_ACKNOWLEDGEMENT_STRUCTURE} for a 277CA")
        if cursor.peek_id() is None:
            raise bht.error("277CA holds no HL levels after BHT")
        _read_levels(cursor, claims, batch_statuses)
    return ClaimAcknowledgementReport(claims=tuple(claims), batch_statuses=tuple(batch_statuses))


def _read_levels(cursor: SegmentCursor, claims: list[ClaimAcknowledgement], batch: list[ClaimStatus]) -> None:
    payer_id: str | None = None
    provider_id: str | None = None
    while cursor.peek_id() is not None:
        hl = cursor.take("HL")
        level = hl.require(3)
        if level == "20":
            payer_id = cursor.take("NM1").require(9)
            _skip(cursor, _SOURCE_DETAIL)
        elif level == "21":
            cursor.take("NM1")
            cursor.take("TRN")
            batch.extend(status_segments(cursor, hl))
            _skip(cursor, _SUMMARY_DETAIL)
        elif level == "19":
            provider_id = cursor.take("NM1").require(9)
            while cursor.take_if("NM1") is not None:  # 2100C repeats for other provider ids
                pass
            cursor.take("TRN")
            status_segments(cursor, hl)
            _skip(cursor, _SUMMARY_DETAIL)
        elif level == "PT":
            if payer_id is None or provider_id is None:
                raise hl.error("patient level (PT) before its information source (20) and provider (19)")
            cursor.take("NM1")
            while cursor.peek_id() == "TRN":
                claims.append(_claim(cursor, payer_id, provider_id))
        else:
            raise hl.error("HL03 must be 20, 21, 19 or PT in a 277CA")


def _claim(cursor: SegmentCursor, payer_id: str, provider_id: str) -> ClaimAcknowledgement:
    trn = cursor.take("TRN")
    patient_control_number = trn.require(2)
    statuses = status_segments(cursor, trn, date_required=True)
    references: dict[str, str] = {}
    service_period: tuple[dt.date, dt.date] | None = None
    while cursor.peek_id() in ("REF", "DTP"):
        if cursor.peek_id() == "REF":
            ref = cursor.take("REF")
            references[ref.require(1)] = ref.require(2)
        else:
            service_period = read_service_period(cursor.take("DTP"))
    if service_period is None:
        raise trn.error("claim (2200D) has no DTP*472 service date")
    lines = []
    while cursor.peek_id() == "SVC":
        lines.append(_line(cursor))
    return ClaimAcknowledgement(
        patient_control_number=patient_control_number,
        payer_claim_control_number=references.get("1K"),
        clearinghouse_trace_number=references.get("D9"),
        payer_id=payer_id,
        billing_provider_id=provider_id,
        service_date_from=service_period[0],
        service_date_to=service_period[1],
        statuses=statuses,
        lines=tuple(lines),
    )


def _line(cursor: SegmentCursor) -> LineAcknowledgement:
    svc = cursor.take("SVC")
    procedure = cursor.components(svc.require(1))
    if len(procedure) < 2 or not procedure[1]:
        raise svc.error("SVC01 must carry a qualifier and a procedure code")
    statuses = status_segments(cursor, svc, date_required=True)
    line_control_number: str | None = None
    service_period: tuple[dt.date, dt.date] | None = None
    while cursor.peek_id() in ("REF", "DTP"):
        if cursor.peek_id() == "REF":
            ref = cursor.take("REF")
            if ref.require(1) == "FJ":
                line_control_number = ref.require(2)
        else:
            service_period = read_service_period(cursor.take("DTP"))
    return LineAcknowledgement(
        procedure_code=procedure[1],
        modifiers=tuple(m for m in procedure[2:6] if m),
        charge=parse_amount(svc, 2),
        units=parse_amount(svc, 7) if svc.get(7) else None,
        line_control_number=line_control_number,
        service_date_from=service_period[0] if service_period else None,
        service_date_to=service_period[1] if service_period else None,
        statuses=statuses,
    )


def status_segments(
    cursor: SegmentCursor, owner: PositionedSegment, date_required: bool = False
) -> tuple[ClaimStatus, ...]:
    """Every consecutive STC, each expanded into its one to three status composites (at least one)."""
    statuses: list[ClaimStatus] = []
    while (stc := cursor.take_if("STC")) is not None:
        statuses.extend(_statuses(cursor, stc, date_required))
    if not statuses:
        raise owner.error(f"{owner.segment_id} is not followed by the STC it requires")
    return tuple(statuses)


def _statuses(cursor: SegmentCursor, stc: PositionedSegment, date_required: bool) -> list[ClaimStatus]:
    effective_date = parse_d8(stc, 2) if date_required or stc.get(2) else None
    total_charge: Decimal | None = parse_amount(stc, 4) if stc.get(4) else None
    statuses = []
    for position in (1, 10, 11):
        value = stc.require(1) if position == 1 else stc.get(position)
        if not value:
            continue
        parts = cursor.components(value)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise stc.error(f"STC{position:02d} needs a status category code and a status code")
        statuses.append(
            ClaimStatus(
                category_code=parts[0],
                status_code=parts[1],
                entity_code=parts[2] if len(parts) > 2 and parts[2] else None,
                effective_date=effective_date,
                action_code=stc.get(3) or None,
                total_charge=total_charge,
                message=stc.get(12) or None,
            )
        )
    return statuses


def read_service_period(dtp: PositionedSegment) -> tuple[dt.date, dt.date]:
    if dtp.require(1) != "472":
        raise dtp.error("DTP01 must be 472 (service date) here")
    qualifier = dtp.require(2)
    if qualifier == "D8":
        day = parse_d8(dtp, 3)
        return day, day
    if qualifier == "RD8":
        start, _, end = dtp.require(3).partition("-")
        return parse_d8_text(dtp, 3, start), parse_d8_text(dtp, 3, end)
    raise dtp.error("DTP02 must be D8 or RD8")


def _skip(cursor: SegmentCursor, allowed: frozenset[str]) -> None:
    """Step over the level's remaining segments of the allowed kinds; anything else is out of place."""
    while (upcoming := cursor.peek()) is not None and upcoming.segment_id != "HL":
        if upcoming.segment_id not in allowed:
            raise upcoming.error("segment out of place at this hierarchical level")
        cursor.take(upcoming.segment_id)
