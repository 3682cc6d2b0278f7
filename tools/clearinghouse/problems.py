"""What can be wrong with an inbound interchange, in the terms a 999 reports it."""

from __future__ import annotations

from dataclasses import dataclass

from tools.clearinghouse.claims import FunctionalGroup, InterchangeHeader


@dataclass(frozen=True, slots=True)
class SegmentError:
    """IK3 (and IK4 when an element is at fault) of a 999."""

    segment_id: str
    position: int  # in the transaction set, ST is 1
    segment_code: str  # IK304: 8 = segment has data element errors, 3 = required segment missing
    element_position: int | None = None
    element_code: str | None = None  # IK403: 1 missing, 6 invalid character, 7 invalid code value
    claim_id: str | None = None  # CLM01 of the claim in error, for the 999's business unit CTX


@dataclass(frozen=True, slots=True)
class EnvelopeProblem:
    """One thing wrong, placed as precisely as the 999 can say it."""

    detail: str
    group_control_number: str | None = None
    group_code: str | None = None  # AK905
    set_control_number: str | None = None
    set_code: str | None = None  # IK502
    segment: SegmentError | None = None

    def as_json(self) -> dict[str, str | int | None]:
        """The problem as an entry of a problem+json "errors" list."""
        entry: dict[str, str | int | None] = {"detail": self.detail}
        if self.group_control_number is not None:
            entry["functional_group"] = self.group_control_number
        if self.set_control_number is not None:
            entry["transaction_set"] = self.set_control_number
        if self.segment is not None:
            entry["segment"] = self.segment.segment_id
            entry["segment_position"] = self.segment.position
            if self.segment.element_position is not None:
                entry["element_position"] = self.segment.element_position
        return entry


class SegmentProblem(ValueError):
    """A claim-level segment of a transaction set cannot be read."""

    def __init__(self, detail: str, error: SegmentError):
        self.detail = detail
        self.error = error
        super().__init__(detail)


class InterchangeRejected(ValueError):
    """The interchange cannot be accepted; header and groups are what could still be read for a 999."""

    def __init__(
        self,
        problems: list[EnvelopeProblem],
        header: InterchangeHeader | None,
        groups: tuple[FunctionalGroup, ...] = (),
        transaction_sets: dict[str, list[tuple[str, str]]] | None = None,
    ):
        self.problems = problems
        self.header = header
        self.groups = groups
        # group control number -> [(ST01, ST02)] of every set seen, for the 999's AK2 loops
        self.transaction_sets = transaction_sets or {}
        super().__init__("; ".join(p.detail for p in problems))
