"""Write the 999 implementation acknowledgment (005010X231A1) for one inbound interchange.

A functional group is accepted or rejected as a whole (AK9 A or R, never P): when anything in
it is wrong nothing in it is processed. A rejected group lists only the sets in error.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.clearinghouse.claims import FunctionalGroup, Interchange
from tools.clearinghouse.outbound_envelope import OutboundControl, Party, Segment, write_interchange
from tools.clearinghouse.problems import EnvelopeProblem, SegmentError

VERSION_999 = "005010X231A1"
SEGMENTS_IN_ERROR = "5"


@dataclass(frozen=True, slots=True)
class SetAcknowledgement:
    """AK2..IK5 for one transaction set."""

    set_code: str  # ST01
    control_number: str  # ST02
    implementation: str  # ST03
    set_codes: tuple[str, ...] = ()  # IK502-IK506
    segment_errors: tuple[SegmentError, ...] = ()

    @property
    def accepted(self) -> bool:
        """True when nothing is wrong with the set."""
        return not self.set_codes and not self.segment_errors


@dataclass(frozen=True, slots=True)
class GroupAcknowledgement:
    """AK1..AK9 for one functional group."""

    functional_id: str
    control_number: str
    version: str
    set_count: int
    sets: tuple[SetAcknowledgement, ...] = ()
    group_codes: tuple[str, ...] = ()  # AK905-AK909
    rejected: bool = False

    @property
    def accepted(self) -> bool:
        """True when the group and every set in it are accepted."""
        return not self.rejected and not self.group_codes and all(s.accepted for s in self.sets)


def accepted_groups(interchange: Interchange) -> list[GroupAcknowledgement]:
    """Acknowledgements accepting every group and set of a readable interchange."""
    return [
        GroupAcknowledgement(
            functional_id=group.functional_id,
            control_number=group.control_number,
            version=group.version,
            set_count=len(group.transaction_sets),
            sets=tuple(
                SetAcknowledgement("837", ts.control_number, group.version) for ts in group.transaction_sets
            ),
        )
        for group in interchange.groups
    ]


def rejected_groups(
    groups: tuple[FunctionalGroup, ...],
    problems: list[EnvelopeProblem],
    sets_seen: dict[str, list[tuple[str, str]]],
) -> list[GroupAcknowledgement]:
    """Acknowledgements rejecting every group, with the problems placed on their group and set."""
    acknowledgements = []
    for group in groups:
        mine = [p for p in problems if p.group_control_number in (group.control_number, None)]
        sets = []
        for set_code, control_number in sets_seen.get(group.control_number, []):
            in_set = [p for p in mine if p.set_control_number == control_number]
            if not in_set:
                continue
            codes = tuple(dict.fromkeys(p.set_code for p in in_set if p.set_code))
            errors = tuple(p.segment for p in in_set if p.segment is not None)
            sets.append(
                SetAcknowledgement(
                    set_code, control_number, group.version, codes or (SEGMENTS_IN_ERROR,), errors
                )
            )
        group_codes = tuple(dict.fromkeys(p.group_code for p in mine if p.group_code))
        acknowledgements.append(
            GroupAcknowledgement(
                functional_id=group.functional_id,
                control_number=group.control_number,
                version=group.version,
                set_count=len(sets_seen.get(group.control_number, [])),
                sets=tuple(sets),
                group_codes=group_codes[:5],
                rejected=True,
            )
        )
    return acknowledgements


def write_999(
    groups: list[GroupAcknowledgement], sender: Party, receiver: Party, control: OutboundControl
) -> str:
    """X12 text of a 999 interchange with one transaction set per acknowledged group."""
    sets = [("999", _set_body(group)) for group in groups]
    return write_interchange(sender, receiver, control, "FA", VERSION_999, sets)


def _set_body(group: GroupAcknowledgement) -> list[Segment]:
    body: list[Segment] = [["AK1", group.functional_id, group.control_number, group.version]]
    for ack in group.sets:
        body.append(["AK2", ack.set_code, ack.control_number, ack.implementation])
        for error in ack.segment_errors:
            body.append(["IK3", error.segment_id, str(error.position), "", error.segment_code])
            if error.claim_id:
                body.append(["CTX", f"CLM01:{error.claim_id}"])
            if error.element_position is not None and error.element_code is not None:
                body.append(["IK4", str(error.element_position), "", error.element_code])
        body.append(["IK5", "A" if ack.accepted else "R", *ack.set_codes[:5]])
    accepted = group.accepted
    accepted_count = group.set_count if accepted else 0
    body.append(
        ["AK9", "A" if accepted else "R", str(group.set_count), str(group.set_count), str(accepted_count)]
        + list(group.group_codes)
    )
    return body
