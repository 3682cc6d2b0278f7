"""An 837P 005010X222A1 interchange cut into claims: each CLM with the party loops above it.

Positions are 1-based from the ISA (the ISA is segment 1), so a caller can count to the segment
in its own file. Anything that keeps the file from being read at all raises X12DocumentUnreadable;
problems inside one claim are left to the claim mapping, so one bad claim does not block the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from shared.errors import DomainError
from shared.x12.tokenizer import DEFAULT_LIMITS, X12Limits, X12SyntaxError, X12TooLarge, split_segments

IMPLEMENTATION_GUIDE_PREFIX = "005010X222"  # X222A1 (and its errata) is the 5010 professional claim
BILLING_PROVIDER_LEVEL, SUBSCRIBER_LEVEL, PATIENT_LEVEL = "20", "22", "23"


class X12DocumentUnreadable(DomainError):
    """The body is not an 837P we can read; names the segment position, never its content."""

    def __init__(self, detail: str, segment: int, segment_id: str):
        super().__init__(f"{detail} (segment {segment}, {segment_id})")
        self.detail = detail
        self.segment = segment
        self.segment_id = segment_id


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment with its 1-based position in the file."""

    position: int
    elements: tuple[str, ...]
    component: str

    @property
    def id(self) -> str:
        return self.elements[0]

    def element(self, number: int) -> str:
        """Element `number` as the TR3 numbers it (NM109 is element 9), or "" when absent."""
        return self.elements[number].strip() if number < len(self.elements) else ""

    def components(self, number: int) -> list[str]:
        """A composite element split on the component separator."""
        value = self.element(number)
        return value.split(self.component) if value else []


@dataclass(frozen=True, slots=True)
class ClaimLoops:
    """One claim's segments (CLM through its last 2400) with the party loops it belongs under."""

    billing_provider: Sequence[Segment]  # 2000A/2010AA (and 2010AB/AC, told apart by NM101)
    subscriber: Sequence[Segment]  # 2000B/2010BA/2010BB up to the first CLM or child HL
    patient: Sequence[Segment] | None  # 2000C/2010CA when the patient is not the subscriber
    claim: Sequence[Segment]

    @property
    def clm(self) -> Segment:
        return self.claim[0]

    @property
    def external_id(self) -> str:
        """CLM01, the patient control number the practice assigned."""
        return self.clm.element(1)


@dataclass
class _Level:
    segments: list[Segment]
    parent: str
    level: str
    claims: list[list[Segment]] = field(default_factory=list)


def read_claim_loops(text: str, limits: X12Limits = DEFAULT_LIMITS) -> list[ClaimLoops]:
    """Every claim in the interchange, in file order; raises X12DocumentUnreadable, or X12TooLarge past limits."""
    try:
        delimiters, raw = split_segments(text, limits)
    except X12TooLarge:
        raise
    except X12SyntaxError as error:
        raise X12DocumentUnreadable(str(error).split(" (segment")[0], (error.segment_index or 0) + 1,
                                    error.segment_id or "ISA") from None
    segments = [Segment(i, tuple(elements), delimiters.component) for i, elements in enumerate(raw, start=1)]
    claims: list[ClaimLoops] = []
    for transaction in _transaction_sets(segments):
        claims.extend(_claims_of(transaction))
    if not claims:
        raise X12DocumentUnreadable("the interchange holds no claim (CLM)", segments[-1].position, segments[-1].id)
    return claims


def _transaction_sets(segments: list[Segment]) -> Iterator[list[Segment]]:
    """The segments of each ST..SE, checked against the envelope around them."""
    if segments[-1].id != "IEA":
        raise X12DocumentUnreadable("the interchange must end with IEA", segments[-1].position, segments[-1].id)
    guide, start = "", None
    for segment in segments[1:-1]:
        if segment.id == "GS":
            guide = segment.element(8)
            if segment.element(1) != "HC":
                raise X12DocumentUnreadable("functional group must be HC (health care claim)", segment.position, "GS")
        elif segment.id == "ST":
            if start is not None:
                raise X12DocumentUnreadable("ST before the previous transaction's SE", segment.position, "ST")
            start = segment.position
            if segment.element(1) != "837":
                raise X12DocumentUnreadable("transaction set must be an 837", segment.position, "ST")
            if not (segment.element(3) or guide).startswith(IMPLEMENTATION_GUIDE_PREFIX):
                raise X12DocumentUnreadable("must be an 837P (005010X222A1)", segment.position, "ST")
        elif segment.id == "SE":
            if start is None:
                raise X12DocumentUnreadable("SE without ST", segment.position, "SE")
            transaction = segments[start - 1:segment.position]
            if segment.element(1) != str(len(transaction)):
                raise X12DocumentUnreadable("SE01 does not count the transaction's segments", segment.position, "SE")
            yield transaction
            start = None
        elif start is None and segment.id not in ("GE",):
            raise X12DocumentUnreadable("segment outside a transaction set", segment.position, segment.id)
    if start is not None:
        raise X12DocumentUnreadable("transaction set has no SE", start, "ST")


def _claims_of(transaction: list[Segment]) -> Iterator[ClaimLoops]:
    """Walk the HL hierarchy of one transaction set and pair each CLM with its ancestors' loops."""
    levels: dict[str, _Level] = {}
    order: list[_Level] = []
    current: _Level | None = None
    for segment in transaction[1:-1]:
        if segment.id == "HL":
            current = _open_level(segment, levels)
            order.append(current)
        elif current is None:
            continue  # BHT and the 1000A/1000B submitter and receiver loops
        elif segment.id == "CLM":
            if current.level == BILLING_PROVIDER_LEVEL:
                raise X12DocumentUnreadable("CLM directly under a billing provider HL", segment.position, "CLM")
            current.claims.append([segment])
        elif current.claims:
            current.claims[-1].append(segment)
        else:
            current.segments.append(segment)
    for level in order:
        for claim in level.claims:
            patient = level if level.level == PATIENT_LEVEL else None
            subscriber = levels[level.parent] if patient is not None else level
            provider = levels[subscriber.parent]
            yield ClaimLoops(provider.segments, subscriber.segments, patient.segments if patient else None, claim)


def _open_level(segment: Segment, levels: dict[str, _Level]) -> _Level:
    identifier, parent, level = segment.element(1), segment.element(2), segment.element(3)
    expected_parent = {BILLING_PROVIDER_LEVEL: None, SUBSCRIBER_LEVEL: BILLING_PROVIDER_LEVEL,
                       PATIENT_LEVEL: SUBSCRIBER_LEVEL}
    if level not in expected_parent:
        raise X12DocumentUnreadable("HL03 must be 20, 22 or 23", segment.position, "HL")
    if not identifier or identifier in levels:
        raise X12DocumentUnreadable("HL01 must be a new, unique id", segment.position, "HL")
    wanted = expected_parent[level]
    if wanted is not None and (parent not in levels or levels[parent].level != wanted):
        raise X12DocumentUnreadable(f"HL02 must name a level {wanted} HL above it", segment.position, "HL")
    opened = _Level([segment], parent, level)
    levels[identifier] = opened
    return opened
