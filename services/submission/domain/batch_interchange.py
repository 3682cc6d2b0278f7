"""One batch's 837: the claims' own single-claim interchanges merged under one ISA/GS/ST envelope.

Each claim version is written and stored as its own interchange when it is queued (whatever made
it: a first bill, a replacement, a secondary bill). A batch takes each one's HL hierarchy (billing
provider, subscriber, patient, claim) as written, renumbers the HL ids so they stay unique and
point at their parents, and wraps them with the batch's control numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.interchange_837p import check_claim_batch, transaction_header, wrap_interchange
from services.submission.domain.interchange_header import InterchangeHeader
from shared.x12.tokenizer import element, split_segments

Segments = list[list[str]]


ISA_LENGTH = 106  # ISA is fixed-length; its 4th character is the element separator, its last the terminator


def implementation_guide_of(x12: str) -> str:
    """GS08 of an interchange: 005010X222A1 for an 837P, 005010X223A2 for an 837I.

    Reads only ISA and GS (GS follows ISA), so the head of the interchange is enough."""
    if len(x12) > ISA_LENGTH and x12.startswith("ISA"):
        separator, terminator = x12[3], x12[ISA_LENGTH - 1]
        group = x12[ISA_LENGTH:].lstrip("\r\n").split(terminator, 1)[0].split(separator)
        if group[0] == "GS" and len(group) > 8:
            return group[8]
    _, segments = split_segments(x12)
    return next(element(s, 8) for s in segments if s[0] == "GS")


def claim_hierarchy_of(x12: str) -> tuple[str, Segments, list[str]]:
    """The implementation guide, the HL loops (first HL up to SE) and the CLM01s of one interchange."""
    _, segments = split_segments(x12)
    guide = next(element(s, 8) for s in segments if s[0] == "GS")
    first_hl = next(i for i, s in enumerate(segments) if s[0] == "HL")
    end = next(i for i, s in enumerate(segments) if s[0] == "SE")
    body = segments[first_hl:end]
    return guide, body, [element(s, 1) for s in body if s[0] == "CLM"]


class _Pcn:
    def __init__(self, value: str):
        self.patient_control_number = value


def merge_claim_interchanges(header: InterchangeHeader, interchanges: Sequence[str]) -> str:
    """One interchange holding every claim of the given single-claim interchanges, in order."""
    hierarchies = [claim_hierarchy_of(x12) for x12 in interchanges]
    guides = {guide for guide, _, _ in hierarchies}
    if len(guides) != 1:
        raise InvalidBillableClaim(f"a batch holds one kind of 837, got {sorted(guides)}")
    guide = guides.pop()
    check_claim_batch([_Pcn(pcn) for _, _, pcns in hierarchies for pcn in pcns], guide)
    transaction = transaction_header(header, guide)
    offset = 0
    for _, body, _ in hierarchies:
        transaction.extend(_renumbered(body, offset))
        offset += sum(1 for s in body if s[0] == "HL")
    return wrap_interchange(header, guide, transaction)


def _renumbered(body: Segments, offset: int) -> Segments:
    """HL01 and HL02 shifted by offset; every other segment as it was."""
    renumbered = []
    for segment in body:
        if segment[0] == "HL":
            segment = [*segment]
            segment[1] = str(int(segment[1]) + offset)
            if element(segment, 2):
                segment[2] = str(int(segment[2]) + offset)
        renumbered.append(segment)
    return renumbered
