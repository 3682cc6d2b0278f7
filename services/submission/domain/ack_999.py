"""Reading a 999 implementation acknowledgement (005010X231A1): was our 837 accepted, and where it erred."""

from __future__ import annotations

from dataclasses import dataclass

from services.submission.domain.ack_envelope import (
    PositionedSegment,
    SegmentCursor,
    TransactionSet,
    parse_int,
    parse_optional_int,
    read_transaction_sets,
)
from services.submission.domain.errors import AckParseError

TRANSACTION_SET_ACK_CODES = frozenset("AEMRWX")  # IK501
GROUP_ACK_CODES = frozenset("AEMPRWX")  # AK901; P = some transaction sets accepted
ACCEPTED_CODES = frozenset("AE")  # E = accepted, but errors were noted
BUSINESS_UNIT_CLAIM = "CLM01"


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """A CTX: the business unit in error (such as CLM01 and our control number) or a situational trigger."""

    name: str  # CTX01-1
    reference: str | None  # CTX01-2
    segment_id: str | None  # CTX02
    segment_position: int | None  # CTX03
    loop_id: str | None  # CTX04
    element_position: int | None  # CTX05-1
    component_position: int | None  # CTX05-2
    data_element_reference: str | None  # CTX06-1


@dataclass(frozen=True, slots=True)
class ElementError:
    """An IK4: which element of the segment in error was wrong, and how."""

    element_position: int  # IK401-1
    component_position: int | None  # IK401-2
    repetition_position: int | None  # IK401-3
    data_element_reference: str | None  # IK402
    error_code: str  # IK403
    bad_value: str | None  # IK404; may hold patient data, so never log it
    contexts: tuple[ErrorContext, ...]


@dataclass(frozen=True, slots=True)
class SegmentError:
    """An IK3: the segment in error, located by id, position in the transaction set and loop."""

    segment_id: str  # IK301
    position: int  # IK302, counted from ST = 1
    loop_id: str | None  # IK303
    error_code: str | None  # IK304
    contexts: tuple[ErrorContext, ...]
    element_errors: tuple[ElementError, ...]

    @property
    def patient_control_number(self) -> str | None:
        """The claim (CLM01) the error belongs to, when the sender named it in a business-unit CTX."""
        return next((c.reference for c in self.contexts if c.name == BUSINESS_UNIT_CLAIM), None)


@dataclass(frozen=True, slots=True)
class TransactionSetAcknowledgement:
    """AK2 ... IK5 for one of our transaction sets."""

    transaction_set_id: str  # AK201, e.g. 837
    control_number: str  # AK202: our ST02
    implementation_reference: str | None  # AK203
    status: str  # IK501: A, E, M, R, W or X
    error_codes: tuple[str, ...]  # IK502-IK506
    segment_errors: tuple[SegmentError, ...]

    @property
    def accepted(self) -> bool:
        """True for A (accepted) and E (accepted with errors noted)."""
        return self.status in ACCEPTED_CODES


@dataclass(frozen=True, slots=True)
class FunctionalAcknowledgement:
    """One 999: the verdict on one of our functional groups and on each transaction set in it."""

    acknowledgement_control_number: str  # the 999's own ST02
    functional_id: str  # AK101, HC for an 837
    group_control_number: str  # AK102: our GS06
    version: str  # AK103
    transaction_sets: tuple[TransactionSetAcknowledgement, ...]
    status: str  # AK901: A, E, M, P, R, W or X
    transaction_sets_included: int  # AK902
    transaction_sets_received: int  # AK903
    transaction_sets_accepted: int  # AK904
    error_codes: tuple[str, ...]  # AK905-AK909

    @property
    def accepted(self) -> bool:
        """True when the whole group was accepted (A or E); P means look at each transaction set."""
        return self.status in ACCEPTED_CODES


def parse_999(text: str) -> FunctionalAcknowledgement:
    """The single 999 in text; raises AckParseError when malformed or when it holds several."""
    acknowledgements = parse_999_all(text)
    if len(acknowledgements) != 1:
        raise AckParseError(f"expected one 999 transaction set, found {len(acknowledgements)}")
    return acknowledgements[0]


def parse_999_all(text: str) -> list[FunctionalAcknowledgement]:
    """Every 999 transaction set in the interchange, in order."""
    return [_functional_acknowledgement(ts) for ts in read_transaction_sets(text, "999")]


def _functional_acknowledgement(transaction_set: TransactionSet) -> FunctionalAcknowledgement:
    cursor = SegmentCursor(transaction_set)
    ak1 = cursor.take("AK1")
    acknowledged_sets = []
    while cursor.peek_id() == "AK2":
        acknowledged_sets.append(_transaction_set_acknowledgement(cursor))
    ak9 = cursor.take("AK9")
    cursor.expect_end()
    return FunctionalAcknowledgement(
        acknowledgement_control_number=transaction_set.control_number,
        functional_id=ak1.require(1),
        group_control_number=ak1.require(2),
        version=ak1.get(3),
        transaction_sets=tuple(acknowledged_sets),
        status=_code(ak9, 1, GROUP_ACK_CODES),
        transaction_sets_included=parse_int(ak9, 2),
        transaction_sets_received=parse_int(ak9, 3),
        transaction_sets_accepted=parse_int(ak9, 4),
        error_codes=_codes(ak9, range(5, 10)),
    )


def _transaction_set_acknowledgement(cursor: SegmentCursor) -> TransactionSetAcknowledgement:
    ak2 = cursor.take("AK2")
    segment_errors = []
    while cursor.peek_id() == "IK3":
        segment_errors.append(_segment_error(cursor))
    ik5 = cursor.take("IK5")
    return TransactionSetAcknowledgement(
        transaction_set_id=ak2.require(1),
        control_number=ak2.require(2),
        implementation_reference=ak2.get(3) or None,
        status=_code(ik5, 1, TRANSACTION_SET_ACK_CODES),
        error_codes=_codes(ik5, range(2, 7)),
        segment_errors=tuple(segment_errors),
    )


def _segment_error(cursor: SegmentCursor) -> SegmentError:
    ik3 = cursor.take("IK3")
    contexts = _contexts(cursor)
    element_errors = []
    while cursor.peek_id() == "IK4":
        element_errors.append(_element_error(cursor))
    return SegmentError(
        segment_id=ik3.require(1),
        position=parse_int(ik3, 2),
        loop_id=ik3.get(3) or None,
        error_code=ik3.get(4) or None,
        contexts=contexts,
        element_errors=tuple(element_errors),
    )


def _element_error(cursor: SegmentCursor) -> ElementError:
    ik4 = cursor.take("IK4")
    position = cursor.components(ik4.require(1))
    return ElementError(
        element_position=_whole(ik4, 1, position[0]),
        component_position=_whole(ik4, 1, position[1]) if len(position) > 1 and position[1] else None,
        repetition_position=_whole(ik4, 1, position[2]) if len(position) > 2 and position[2] else None,
        data_element_reference=ik4.get(2) or None,
        error_code=ik4.require(3),
        bad_value=ik4.get(4) or None,
        contexts=_contexts(cursor),
    )


def _contexts(cursor: SegmentCursor) -> tuple[ErrorContext, ...]:
    contexts = []
    while (ctx := cursor.take_if("CTX")) is not None:
        identification = cursor.components(ctx.require(1))
        position = cursor.components(ctx.get(5)) if ctx.get(5) else []
        contexts.append(
            ErrorContext(
                name=identification[0],
                reference=identification[1] if len(identification) > 1 and identification[1] else None,
                segment_id=ctx.get(2) or None,
                segment_position=parse_optional_int(ctx, 3),
                loop_id=ctx.get(4) or None,
                element_position=_whole(ctx, 5, position[0]) if position and position[0] else None,
                component_position=_whole(ctx, 5, position[1]) if len(position) > 1 and position[1] else None,
                data_element_reference=cursor.components(ctx.get(6))[0] or None,
            )
        )
    return tuple(contexts)


def _code(positioned: PositionedSegment, position: int, allowed: frozenset[str]) -> str:
    value = positioned.require(position)
    if value not in allowed:
        raise positioned.error(
            f"{positioned.segment_id}{position:02d} is not one of {''.join(sorted(allowed))}"
        )
    return value


def _codes(positioned: PositionedSegment, positions: range) -> tuple[str, ...]:
    return tuple(code for code in (positioned.get(p) for p in positions) if code)


def _whole(positioned: PositionedSegment, position: int, value: str) -> int:
    if not value.isdigit():
        raise positioned.error(f"{positioned.segment_id}{position:02d} position is not a whole number")
    return int(value)
