"""Write the 277CA claim acknowledgement (005010X214) for one accepted interchange.

Each payer named in a transaction set is an information source (2000A, NM1*PR with the
payer id as submitted), the submitter the receiver (2000B), then billing provider (2000C)
and one 2000D per claim with its STC status, the clearinghouse trace number in REF*D9 and,
when accepted, the payer claim control number in REF*1K.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tools.clearinghouse.claims import Interchange, SubmittedClaim, TransactionSet
from tools.clearinghouse.outbound_envelope import (
    OutboundControl,
    Party,
    Segment,
    write_interchange,
    x12_amount,
    x12_date,
    x12_time,
)
from tools.clearinghouse.payer_rules import ACCEPTED_CATEGORIES

VERSION_277CA = "005010X214"
RECEIVED = "A1:19"  # the clearinghouse received the batch; claims carry their own status


@dataclass(frozen=True, slots=True)
class ClaimAcknowledgement:
    """The 277CA answer for one claim."""

    claim: SubmittedClaim
    status: str  # STC01, e.g. "A2:20" or "A3:26:PR"
    payer_claim_control_number: str | None = None
    message: str = ""  # STC12 free text for a rejection; never patient data

    @property
    def accepted(self) -> bool:
        """True when the claim went into adjudication."""
        return self.status.split(":")[0] in ACCEPTED_CATEGORIES


def write_277ca(
    interchange: Interchange,
    acknowledgements: list[ClaimAcknowledgement],
    clearinghouse: Party,
    submitter: Party,
    control: OutboundControl,
) -> str:
    """X12 text of a 277CA answering every claim of the interchange."""
    when = control.created_at
    body: list[Segment] = [["BHT", "0085", "08", f"CA{control.interchange_control_number:09d}",
                            x12_date(when), x12_time(when), "TH"]]  # fmt: skip
    counter = _HierarchyCounter()
    by_claim = {id(a.claim): a for a in acknowledgements}  # identity: two sets may hold equal claims
    for group in interchange.groups:
        for transaction_set in group.transaction_sets:
            by_payer: dict[str, list[ClaimAcknowledgement]] = {}
            for claim in transaction_set.claims:
                if id(claim) in by_claim:
                    by_payer.setdefault(claim.payer_id, []).append(by_claim[id(claim)])
            for payer_acks in by_payer.values():
                body += _information_source(transaction_set, payer_acks, interchange, counter, when)
    return write_interchange(clearinghouse, submitter, control, "HN", VERSION_277CA, [("277", body)])


class _HierarchyCounter:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> str:
        self.value += 1
        return str(self.value)


def _information_source(
    transaction_set: TransactionSet,
    acknowledgements: list[ClaimAcknowledgement],
    interchange: Interchange,
    counter: _HierarchyCounter,
    when: dt.datetime,
) -> list[Segment]:
    today = x12_date(when)
    source = counter.next()
    receiver = counter.next()
    payer = acknowledgements[0].claim
    trace = f"{interchange.header.control_number}{transaction_set.control_number}{int(source):04d}"
    segments: list[Segment] = [
        ["HL", source, "", "20", "1"],
        ["NM1", "PR", "2", payer.payer_name or payer.payer_id, "", "", "", "", "PI", payer.payer_id],
        ["TRN", "1", trace],
        ["DTP", "050", "D8", today],
        ["DTP", "009", "D8", today],
        ["HL", receiver, source, "21", "1"],
        ["NM1", "41", "2", transaction_set.submitter_name or "SUBMITTER", "", "", "", "", "46",
         transaction_set.submitter_id or interchange.header.sender_id],
        ["TRN", "2", transaction_set.batch_id or transaction_set.control_number],
        ["STC", RECEIVED, today, "WQ", x12_amount(_total(acknowledgements))],
        *_totals(acknowledgements, ("90", "AA")),
    ]  # fmt: skip
    by_provider: dict[str, list[ClaimAcknowledgement]] = {}
    for ack in acknowledgements:
        by_provider.setdefault(ack.claim.billing_provider.npi, []).append(ack)
    for provider_acks in by_provider.values():
        provider = provider_acks[0].claim.billing_provider
        provider_level = counter.next()
        segments += [
            ["HL", provider_level, receiver, "19", "1"],
            ["NM1", "85", "2", provider.name, "", "", "", "", "XX", provider.npi],
            ["TRN", "1", "0"],
            ["STC", RECEIVED, "", "WQ", x12_amount(_total(provider_acks))],
            *_totals(provider_acks, ("QA", "QC")),
        ]
        for ack in provider_acks:
            segments += _patient_claim(
                ack, counter.next(), provider_level, today, f"{trace}{counter.value:05d}"
            )
    return segments


def _patient_claim(
    ack: ClaimAcknowledgement, level: str, parent: str, today: str, clearinghouse_trace: str
) -> list[Segment]:
    claim = ack.claim
    patient = claim.patient
    segments: list[Segment] = [
        ["HL", level, parent, "PT"],
        ["NM1", "QC", "1", patient.last, patient.first, "", "", "", "MI", claim.member_id],
        ["TRN", "2", claim.patient_control_number],
        ["STC", ack.status, today, "WQ" if ack.accepted else "U", x12_amount(claim.total_charge)]
        + (["", "", "", "", "", "", "", ack.message[:264]] if ack.message else []),
    ]
    if ack.payer_claim_control_number:
        segments.append(["REF", "1K", ack.payer_claim_control_number])
    segments.append(["REF", "D9", clearinghouse_trace])
    first, last = claim.service_dates or (today, today)  # DTP*472 is required; 837P lines always date
    segments.append(
        ["DTP", "472", "D8", first] if first == last else ["DTP", "472", "RD8", f"{first}-{last}"]
    )
    return segments


def _total(acknowledgements: list[ClaimAcknowledgement]) -> Decimal:
    return sum((a.claim.total_charge for a in acknowledgements), Decimal("0"))


def _totals(acknowledgements: list[ClaimAcknowledgement], quantity_codes: tuple[str, str]) -> list[Segment]:
    accepted = [a for a in acknowledgements if a.accepted]
    rejected = [a for a in acknowledgements if not a.accepted]
    segments: list[Segment] = []
    if accepted:
        segments.append(["QTY", quantity_codes[0], str(len(accepted))])
    if rejected:
        segments.append(["QTY", quantity_codes[1], str(len(rejected))])
    if accepted:
        segments.append(["AMT", "YU", x12_amount(_total(accepted))])
    if rejected:
        segments.append(["AMT", "YY", x12_amount(_total(rejected))])
    return segments
