"""Check an inbound 837 interchange's envelope and read its claims.

ISA/IEA, GS/GE and ST/SE must pair up with matching control numbers and counts, GS08 must be
a supported 837 version. Anything wrong raises InterchangeRejected with the problems placed
where a 999 can report them (AK905 group codes, IK502 set codes, IK3/IK4 segment errors).
"""

from __future__ import annotations

import dataclasses

from shared.x12.tokenizer import X12SyntaxError, element, read_delimiters, split_segments
from tools.clearinghouse.claims import (
    INSTITUTIONAL_VERSION,
    SUPPORTED_837_VERSIONS,
    FunctionalGroup,
    Interchange,
    InterchangeHeader,
    TransactionSet,
)
from tools.clearinghouse.problems import EnvelopeProblem, InterchangeRejected, SegmentError, SegmentProblem
from tools.clearinghouse.reader_837 import read_transaction_set

# AK905 functional group syntax error codes
GROUP_NOT_SUPPORTED, VERSION_NOT_SUPPORTED, GROUP_TRAILER_MISSING = "1", "2", "3"
GROUP_CONTROL_NUMBERS_DIFFER, GROUP_SET_COUNT_WRONG = "4", "5"
# IK502 transaction set syntax error codes
SET_NOT_SUPPORTED, SET_TRAILER_MISSING = "1", "2"
SET_CONTROL_NUMBERS_DIFFER, SET_SEGMENT_COUNT_WRONG = "3", "4"
SET_IMPLEMENTATION_REFERENCE_INVALID, SET_CONTROL_NUMBER_NOT_UNIQUE = "19", "23"
UNRECOGNIZED_SEGMENT = "1"  # IK304

Segments = list[list[str]]


def read_interchange(text: str) -> Interchange:
    """The interchange with its claims, or InterchangeRejected naming what is wrong."""
    try:
        delimiters, segments = split_segments(text)
    except X12SyntaxError as error:
        raise _unreadable(text, error) from error
    header = _header(segments[0])
    problems: list[EnvelopeProblem] = []
    body = segments[1:]
    if body and body[-1][0] == "IEA":
        iea, body = body[-1], body[:-1]
        if element(iea, 2) != header.control_number:
            problems.append(EnvelopeProblem("IEA02 does not match the ISA13 interchange control number"))
        if element(iea, 1) != str(sum(1 for s in body if s[0] == "GS")):
            problems.append(EnvelopeProblem("IEA01 does not match the number of functional groups"))
    else:
        problems.append(EnvelopeProblem("IEA interchange trailer is missing"))
    groups: list[FunctionalGroup] = []
    sets_seen: dict[str, list[tuple[str, str]]] = {}
    for group_segments in _split_groups(body, problems):
        group, seen = _read_group(group_segments, delimiters.component, problems)
        groups.append(group)
        sets_seen[group.control_number] = seen
    if not groups:
        problems.append(EnvelopeProblem("the interchange holds no functional group"))
    if problems:
        raise InterchangeRejected(problems, header, tuple(groups), sets_seen)
    return Interchange(header=header, groups=tuple(groups))


def _header(isa: list[str]) -> InterchangeHeader:
    if isa[0] != "ISA" or len(isa) != 17:
        raise InterchangeRejected([EnvelopeProblem("ISA must hold exactly 16 elements")], None)
    if isa[12] != "00501":
        raise InterchangeRejected([EnvelopeProblem("ISA12 must be 00501")], None)
    if not (len(isa[13]) == 9 and isa[13].isdigit()):
        raise InterchangeRejected([EnvelopeProblem("ISA13 must be nine digits")], None)
    return InterchangeHeader(
        sender_qualifier=isa[5],
        sender_id=isa[6].strip(),
        receiver_qualifier=isa[7],
        receiver_id=isa[8].strip(),
        control_number=isa[13],
        usage_indicator=isa[15],
    )


def _split_groups(body: Segments, problems: list[EnvelopeProblem]) -> list[Segments]:
    groups: list[Segments] = []
    for segment in body:
        if segment[0] == "GS":
            groups.append([segment])
        elif groups and groups[-1][-1][0] != "GE":
            groups[-1].append(segment)
        else:
            problems.append(EnvelopeProblem(f"segment {segment[0]} is outside any functional group"))
    return groups


def _group_header(gs: list[str]) -> FunctionalGroup:
    return FunctionalGroup(
        functional_id=element(gs, 1),
        sender_code=element(gs, 2),
        receiver_code=element(gs, 3),
        control_number=element(gs, 6),
        version=element(gs, 8),
    )


def _read_group(
    segments: Segments, component: str, problems: list[EnvelopeProblem]
) -> tuple[FunctionalGroup, list[tuple[str, str]]]:
    group = _group_header(segments[0])
    gcn = group.control_number

    def fail(detail: str, code: str | None) -> None:
        problems.append(EnvelopeProblem(detail, group_control_number=gcn, group_code=code))

    if group.functional_id != "HC":
        fail("GS01 must be HC (health care claim)", GROUP_NOT_SUPPORTED)
    if group.version not in SUPPORTED_837_VERSIONS:
        fail(f"GS08 must be one of {', '.join(SUPPORTED_837_VERSIONS)}", VERSION_NOT_SUPPORTED)
    inner = segments[1:]
    if inner and inner[-1][0] == "GE":
        ge, inner = inner[-1], inner[:-1]
        if element(ge, 2) != gcn:
            fail("GE02 does not match the GS06 group control number", GROUP_CONTROL_NUMBERS_DIFFER)
        if element(ge, 1) != str(sum(1 for s in inner if s[0] == "ST")):
            fail("GE01 does not match the number of transaction sets", GROUP_SET_COUNT_WRONG)
    else:
        fail("GE functional group trailer is missing", GROUP_TRAILER_MISSING)
    sets: list[TransactionSet] = []
    seen: list[tuple[str, str]] = []
    for set_segments in _split_sets(inner, gcn, problems):
        st = set_segments[0]
        seen.append((element(st, 1), element(st, 2)))
        transaction_set = _read_set(set_segments, group, component, seen, problems)
        if transaction_set is not None:
            sets.append(transaction_set)
    return dataclasses.replace(group, transaction_sets=tuple(sets)), seen


def _split_sets(inner: Segments, gcn: str, problems: list[EnvelopeProblem]) -> list[Segments]:
    sets: list[Segments] = []
    for segment in inner:
        if segment[0] == "ST":
            sets.append([segment])
        elif sets and sets[-1][-1][0] != "SE":
            sets[-1].append(segment)
        else:
            problems.append(
                EnvelopeProblem(
                    f"segment {segment[0]} is outside any transaction set", group_control_number=gcn
                )
            )
    return sets


def _read_set(
    segments: Segments,
    group: FunctionalGroup,
    component: str,
    seen: list[tuple[str, str]],
    problems: list[EnvelopeProblem],
) -> TransactionSet | None:
    st = segments[0]
    st02 = element(st, 2)
    found: list[EnvelopeProblem] = []

    def fail(detail: str, code: str) -> None:
        found.append(
            EnvelopeProblem(
                detail, group_control_number=group.control_number, set_control_number=st02, set_code=code
            )
        )

    if element(st, 1) != "837":
        fail("ST01 must be 837", SET_NOT_SUPPORTED)
    if element(st, 3) != group.version:
        fail("ST03 must equal GS08", SET_IMPLEMENTATION_REFERENCE_INVALID)
    if [cn for _, cn in seen].count(st02) > 1:
        fail("ST02 is not unique within the functional group", SET_CONTROL_NUMBER_NOT_UNIQUE)
    inner = segments[1:]
    if inner and inner[-1][0] == "SE":
        se, inner = inner[-1], inner[:-1]
        if element(se, 2) != st02:
            fail("SE02 does not match the ST02 transaction set control number", SET_CONTROL_NUMBERS_DIFFER)
        if element(se, 1) != str(len(inner) + 2):
            fail("SE01 does not match the number of segments in the set", SET_SEGMENT_COUNT_WRONG)
    else:
        fail("SE transaction set trailer is missing", SET_TRAILER_MISSING)
    if not found:
        try:
            institutional = group.version == INSTITUTIONAL_VERSION
            transaction_set = read_transaction_set(inner, st02, component, institutional)
        except SegmentProblem as problem:
            found.append(
                EnvelopeProblem(
                    problem.detail,
                    group_control_number=group.control_number,
                    set_control_number=st02,
                    segment=problem.error,
                )
            )
        else:
            if not transaction_set.claims:
                fail("the transaction set holds no claim", "I5")
            else:
                return transaction_set
    problems.extend(found)
    return None


def _unreadable(text: str, error: X12SyntaxError) -> InterchangeRejected:
    """The rejection of text the tokenizer refused, with ISA, GS and ST as far as they can be read."""
    try:
        delimiters = read_delimiters(text)
        body = text.lstrip("\r\n\t ")
        if delimiters.segment not in "\r\n":
            body = body.replace("\r", "").replace("\n", "")
        # the same split as the tokenizer's, so error.segment_index points into it
        raw = [r.split(delimiters.element) for r in body.split(delimiters.segment) if r.strip()]
        header = _header(raw[0])
    except (X12SyntaxError, InterchangeRejected):
        return InterchangeRejected([EnvelopeProblem(str(error))], None)
    groups: list[FunctionalGroup] = []
    sets_seen: dict[str, list[tuple[str, str]]] = {}
    problem = EnvelopeProblem(str(error))
    set_start = 0
    for index, segment in enumerate(raw):
        if segment[0] == "GS" and len(segment) >= 9:
            groups.append(_group_header(segment))
            sets_seen[groups[-1].control_number] = []
        elif segment[0] == "ST" and groups:
            set_start = index
            sets_seen[groups[-1].control_number].append((element(segment, 1), element(segment, 2)))
        elif index == error.segment_index and groups and sets_seen[groups[-1].control_number]:
            unrecognized = SegmentError(segment[0][:3] or "?", index - set_start + 1, UNRECOGNIZED_SEGMENT)
            problem = EnvelopeProblem(
                str(error),
                group_control_number=groups[-1].control_number,
                set_control_number=sets_seen[groups[-1].control_number][-1][1],
                segment=unrecognized,
            )
    return InterchangeRejected([problem], header, tuple(groups), sets_seen)
