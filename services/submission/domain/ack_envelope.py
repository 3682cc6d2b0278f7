"""Reading acknowledgement interchanges: envelope checks and a cursor over one transaction set's segments.

Every failure is an AckParseError naming the segment (position in the interchange and id), never its data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from services.submission.domain.errors import AckParseError
from shared.x12.tokenizer import Delimiters, X12SyntaxError, element, split_segments

Segment = list[str]


@dataclass(frozen=True, slots=True)
class PositionedSegment:
    """A segment and its 0-based index in the interchange, so errors can point at it."""

    index: int
    elements: Segment

    @property
    def segment_id(self) -> str:
        """The segment's id (element 0), e.g. STC."""
        return self.elements[0]

    def get(self, position: int) -> str:
        """Element at 1-based position, or "" when absent."""
        return element(self.elements, position)

    def require(self, position: int) -> str:
        """Element at 1-based position; raises naming the element when it is missing."""
        value = self.get(position)
        if not value:
            raise self.error(f"{self.segment_id}{position:02d} is required")
        return value

    def error(self, message: str) -> AckParseError:
        """An AckParseError located at this segment."""
        return AckParseError(message, self.index, self.segment_id)


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """The body of one ST/SE pair (both excluded) with the group that carried it."""

    functional_id: str  # GS01
    version: str  # GS08
    group_control_number: str  # GS06
    control_number: str  # ST02
    delimiters: Delimiters
    body: list[PositionedSegment]


def read_transaction_sets(text: str, transaction_set_id: str) -> list[TransactionSet]:
    """Every transaction set of the given type, after checking ISA/GS/ST pairing, ids and counts."""
    try:
        delimiters, raw_segments = split_segments(text)
    except X12SyntaxError as error:
        # Same message and location, re-typed so callers catch one error class for a bad acknowledgement.
        wrapped = AckParseError(str(error))
        wrapped.segment_index, wrapped.segment_id = error.segment_index, error.segment_id
        raise wrapped from None
    segments = [PositionedSegment(index, elements) for index, elements in enumerate(raw_segments)]
    isa, trailer = segments[0], segments[-1]
    if trailer.segment_id != "IEA":
        raise trailer.error("interchange must end with IEA")
    if trailer.get(2) != isa.get(13):
        raise trailer.error("IEA02 does not match ISA13")
    groups = _split_envelopes(segments[1:-1], "GS", "GE")
    _check_count(trailer, len(groups), "functional groups")
    transaction_sets: list[TransactionSet] = []
    for gs, group_body, ge in groups:
        if ge.get(2) != gs.require(6):
            raise ge.error("GE02 does not match GS06")
        sets = _split_envelopes(group_body, "ST", "SE")
        _check_count(ge, len(sets), "transaction sets")
        for st, body, se in sets:
            transaction_sets.append(_transaction_set(gs, st, body, se, delimiters, transaction_set_id))
    if not transaction_sets:
        raise trailer.error(f"interchange holds no {transaction_set_id} transaction set")
    return transaction_sets


def _transaction_set(
    gs: PositionedSegment,
    st: PositionedSegment,
    body: list[PositionedSegment],
    se: PositionedSegment,
    delimiters: Delimiters,
    transaction_set_id: str,
) -> TransactionSet:
    if st.get(1) != transaction_set_id:
        raise st.error(f"expected a {transaction_set_id} transaction set")
    if se.get(2) != st.require(2):
        raise se.error("SE02 does not match ST02")
    if se.get(1) != str(len(body) + 2):
        raise se.error("SE01 does not match the number of segments from ST to SE")
    return TransactionSet(
        functional_id=gs.get(1),
        version=gs.get(8),
        group_control_number=gs.get(6),
        control_number=st.get(2),
        delimiters=delimiters,
        body=body,
    )


def _split_envelopes(
    segments: list[PositionedSegment], header_id: str, trailer_id: str
) -> list[tuple[PositionedSegment, list[PositionedSegment], PositionedSegment]]:
    """Pair header and trailer segments (GS/GE or ST/SE) and return what lies between each pair."""
    envelopes = []
    header: PositionedSegment | None = None
    body: list[PositionedSegment] = []
    for positioned in segments:
        if positioned.segment_id == header_id:
            if header is not None:
                raise positioned.error(
                    f"{header_id} before the previous {header_id} was closed by {trailer_id}"
                )
            header, body = positioned, []
        elif positioned.segment_id == trailer_id:
            if header is None:
                raise positioned.error(f"{trailer_id} without a matching {header_id}")
            envelopes.append((header, body, positioned))
            header = None
        elif header is None and positioned.segment_id == "TA1":
            continue  # a TA1 (interchange acknowledgement) may sit between ISA and GS: skip it
        elif header is None:
            raise positioned.error(f"segment outside any {header_id}/{trailer_id} envelope")
        else:
            body.append(positioned)
    if header is not None:
        raise header.error(f"{header_id} is never closed by {trailer_id}")
    return envelopes


def _check_count(trailer: PositionedSegment, actual: int, what: str) -> None:
    if trailer.get(1) != str(actual):
        raise trailer.error(f"{trailer.segment_id}01 does not match the number of {what}")


class SegmentCursor:
    """Reads one transaction set's body front to back."""

    def __init__(self, transaction_set: TransactionSet):
        self._segments = transaction_set.body
        self._position = 0
        self.delimiters = transaction_set.delimiters

    def peek(self) -> PositionedSegment | None:
        """The next segment without consuming it, or None at the end."""
        return self._segments[self._position] if self._position < len(self._segments) else None

    def peek_id(self) -> str | None:
        """The id of the next segment, or None at the end."""
        upcoming = self.peek()
        return upcoming.segment_id if upcoming else None

    def take(self, segment_id: str) -> PositionedSegment:
        """The next segment, which must be segment_id."""
        if self.peek_id() != segment_id:
            raise self._unexpected(f"expected {segment_id}")
        positioned = self._segments[self._position]
        self._position += 1
        return positioned

    def take_if(self, segment_id: str) -> PositionedSegment | None:
        """The next segment when it is segment_id, else None (and nothing is consumed)."""
        return self.take(segment_id) if self.peek_id() == segment_id else None

    def expect_end(self) -> None:
        """Raise when segments remain that the grammar did not place."""
        if self.peek_id() is not None:
            raise self._unexpected("unexpected segment")

    def _unexpected(self, message: str) -> AckParseError:
        if self._position < len(self._segments):
            return self._segments[self._position].error(message)
        last = self._segments[-1] if self._segments else None
        index = last.index + 1 if last else None
        return AckParseError(f"{message}, found SE", index, "SE")

    def components(self, value: str) -> list[str]:
        """A composite element split on the interchange's component separator."""
        return value.split(self.delimiters.component)


def parse_d8(positioned: PositionedSegment, position: int) -> dt.date:
    """A required CCYYMMDD date element."""
    return parse_d8_text(positioned, position, positioned.require(position))


def parse_d8_text(positioned: PositionedSegment, position: int, value: str) -> dt.date:
    """CCYYMMDD text taken from the element at position (for example one half of an RD8 range)."""
    problem = positioned.error(f"{positioned.segment_id}{position:02d} is not a CCYYMMDD date")
    if len(value) != 8 or not value.isdigit():
        raise problem
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise problem from None


def parse_amount(positioned: PositionedSegment, position: int) -> Decimal:
    """A required decimal (R) element."""
    value = positioned.require(position)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise positioned.error(f"{positioned.segment_id}{position:02d} is not a decimal number") from None
    if not amount.is_finite():
        raise positioned.error(f"{positioned.segment_id}{position:02d} is not a decimal number")
    return amount


def parse_int(positioned: PositionedSegment, position: int) -> int:
    """A required whole-number (N0) element."""
    value = parse_optional_int(positioned, position)
    if value is None:
        raise positioned.error(f"{positioned.segment_id}{position:02d} is required")
    return value


def parse_optional_int(positioned: PositionedSegment, position: int) -> int | None:
    """A whole-number (N0) element, or None when absent."""
    value = positioned.get(position)
    if not value:
        return None
    if not value.isdigit():
        raise positioned.error(f"{positioned.segment_id}{position:02d} is not a whole number")
    return int(value)
