"""Real-time claim status: read a 276 inquiry (005010X212) and answer with a 277 response (005010X212).

The answer comes from what the simulator remembers: a claim it never received is not found (A4:35),
one rejected at the 277CA keeps that status, one in adjudication or held by an acknowledge-only payer
is pending (P1:20), and an adjudicated one is finalized: paid (F1:65) or denied (F2:1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shared.x12.tokenizer import X12SyntaxError, element, split_segments
from tools.clearinghouse.ledger import ClaimRecord, Ledger
from tools.clearinghouse.outbound_envelope import (
    OutboundControl,
    Party,
    Segment,
    write_interchange,
    x12_amount,
    x12_date,
    x12_time,
)

VERSION_X212 = "005010X212"
NOT_FOUND, PENDING, PAID, DENIED = "A4:35", "P1:20", "F1:65", "F2:1"


class InquiryRejected(ValueError):
    """The body is not a 276 the simulator can answer; the message names segments, never their data."""


@dataclass(slots=True)
class ClaimInquiry:
    """One 2200D/2200E loop of a 276 with the parties above it."""

    payer: list[str]  # NM1*PR
    receiver: list[str]  # NM1*41
    provider: list[str]  # NM1*1P
    subscriber: list[str]  # NM1*IL
    dependent: list[str] | None  # NM1*QC
    trace_number: str
    references: dict[str, str] = field(default_factory=dict)  # REF01 -> REF02
    total_charge: str | None = None  # AMT*T3
    service_dates: list[str] | None = None  # DTP*472 elements 2 and 3


@dataclass(frozen=True, slots=True)
class StatusInquiry:
    """A 276 interchange: who sent it and the claims it asks about."""

    sender: Party
    receiver: Party
    claims: tuple[ClaimInquiry, ...]


def read_276(text: str) -> StatusInquiry:
    """The claims a 276 asks about; raises InquiryRejected when it is not a readable 005010X212 276."""
    try:
        _, segments = split_segments(text)
    except X12SyntaxError as error:
        raise InquiryRejected(str(error)) from error
    isa, gs = segments[0], next((s for s in segments if s[0] == "GS"), None)
    if gs is None or element(gs, 1) != "HR" or element(gs, 8) != VERSION_X212:
        raise InquiryRejected("GS must be HR with version 005010X212")
    if not any(s[0] == "ST" and element(s, 1) == "276" for s in segments):
        raise InquiryRejected("the interchange holds no 276 transaction set")
    parties: dict[str, list[str]] = {}
    claims: list[ClaimInquiry] = []
    current: ClaimInquiry | None = None
    for index, segment in enumerate(segments):
        if segment[0] == "HL":
            current = None
            if element(segment, 3) != "23":
                parties.pop("QC", None)  # a new subscriber (or higher level) has no dependent yet
        elif segment[0] == "NM1":
            parties[element(segment, 1)] = segment
        elif segment[0] == "TRN":
            if any(role not in parties for role in ("PR", "41", "1P", "IL")):
                raise InquiryRejected(f"TRN at segment {index} before its payer, receiver, provider and subscriber")
            current = ClaimInquiry(parties["PR"], parties["41"], parties["1P"], parties["IL"], parties.get("QC"),
                                   element(segment, 2))
            claims.append(current)
        elif current is not None and segment[0] == "REF":
            current.references[element(segment, 1)] = element(segment, 2)
        elif current is not None and segment[0] == "AMT" and element(segment, 1) == "T3":
            current.total_charge = element(segment, 2)
        elif current is not None and segment[0] == "DTP" and element(segment, 1) == "472":
            current.service_dates = [element(segment, 2), element(segment, 3)]
    if not claims:
        raise InquiryRejected("the 276 asks about no claim (no TRN)")
    return StatusInquiry(Party(element(isa, 5), element(isa, 6).strip(), element(gs, 2)),
                         Party(element(isa, 7), element(isa, 8).strip(), element(gs, 3)), tuple(claims))


def claim_status(inquiry: ClaimInquiry, ledger: Ledger) -> tuple[str, ClaimRecord | None]:
    """STC01 for the claim asked about, and what the simulator remembers of it."""
    payer_id = element(inquiry.payer, 9)
    pcn = inquiry.references.get("EJ")
    record = next((r for i in reversed(ledger.interchanges) for r in reversed(i.claims)
                   if r.claim.payer_id == payer_id and r.claim.patient_control_number == pcn), None)
    if record is None:
        return NOT_FOUND, None
    if not record.accepted:
        return record.status, record
    return {"paid": PAID, "denied": DENIED}.get(record.adjudication or "", PENDING), record


def write_277(inquiry: StatusInquiry, ledger: Ledger, control: OutboundControl) -> str:
    """The 277 answering every claim of the 276, one hierarchy per claim."""
    when = control.created_at
    body: list[Segment] = [["BHT", "0010", "08", f"CS{control.interchange_control_number:09d}",
                            x12_date(when), x12_time(when), "DG"]]  # fmt: skip
    level = 0
    for claim in inquiry.claims:
        status, record = claim_status(claim, ledger)
        source, receiver, provider, subscriber = (str(level + n) for n in (1, 2, 3, 4))
        level += 4
        body += [
            ["HL", source, "", "20", "1"], claim.payer[:10],
            ["HL", receiver, source, "21", "1"], claim.receiver[:10],
            ["HL", provider, receiver, "19", "1"], claim.provider[:10],
            ["HL", subscriber, provider, "22", "1" if claim.dependent else "0"], claim.subscriber[:10],
        ]  # fmt: skip
        if claim.dependent:
            level += 1
            body += [["HL", str(level), subscriber, "23"], claim.dependent[:6]]
        body += _claim_status(claim, status, record, x12_date(when))
    return write_interchange(inquiry.receiver, inquiry.sender, control, "HN", VERSION_X212, [("277", body)])


def _claim_status(claim: ClaimInquiry, status: str, record: ClaimRecord | None, today: str) -> list[Segment]:
    charge = record.claim.total_charge if record else Decimal(claim.total_charge or "0")
    segments: list[Segment] = [["TRN", "2", claim.trace_number], ["STC", status, today, "", x12_amount(charge)]]
    number = record.payer_claim_control_number if record else None
    if number:
        segments.append(["REF", "1K", number])
    if "EJ" in claim.references:
        segments.append(["REF", "EJ", claim.references["EJ"]])
    if claim.service_dates and len(claim.service_dates) == 2:
        segments.append(["DTP", "472", *claim.service_dates])
    return segments
