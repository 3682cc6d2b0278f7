"""Coding engines for unit tests: note readings, E/M verdicts and edits given up front."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.encounter import Encounter
from tests.support.encounters import encounter_for


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Suggested:
    code: str
    confidence: float = 0.95
    description: str = "a condition"
    evidence: tuple[Span, ...] = (Span(0, 5),)


@dataclass(frozen=True)
class Skipped:
    text_span: Span
    reason: str


@dataclass(frozen=True)
class Reading:
    diagnoses: tuple[Suggested, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    problems: str | None = None


@dataclass(frozen=True)
class Em:
    billed_code: str
    supported_code: str | None
    verdict: str
    basis: str = "mdm"
    reason: str = "moderate problems, limited data, prescription drug management"
    evidence: tuple[Span, ...] = (Span(10, 20),)


@dataclass(frozen=True)
class Edit:
    edit_id: str
    severity: str = "error"
    message: str = "an edit"
    source: str = "test"
    codes: tuple[str, ...] = ()
    line_numbers: tuple[int, ...] = ()


@dataclass
class FakeEngines:
    reading: Reading | Exception = field(default_factory=Reading)
    em: dict[str, Em] = field(default_factory=dict)
    edits: Sequence[Edit] | Exception = ()
    reads_notes: bool = True
    unknown_to_reader: frozenset[str] = frozenset()
    seen: list[Encounter] = field(default_factory=list)

    def read_note(self, note: str, date_of_service: dt.date) -> Any:
        if isinstance(self.reading, Exception):
            raise self.reading
        return self.reading

    def read_notes(self, notes: Sequence[tuple[str, dt.date]]) -> Sequence[Any]:
        return [self.read_note(note, date_of_service) for note, date_of_service in notes]

    def reader_covers(self, code: str) -> bool:
        return code not in self.unknown_to_reader

    def assess_em(self, note: str, billed_code: str) -> Any:
        return self.em.get(billed_code)

    def run_edits(self, encounter: Encounter) -> Sequence[Any]:
        self.seen.append(encounter)
        if isinstance(self.edits, Exception):
            raise self.edits
        return self.edits

    def edit_definitions(self) -> Sequence[Any]:
        return []


def encounter(**changes: Any) -> Encounter:
    """The handout's encounter (E11.65, I10; 99214-25 -> 1,2 and 83036 -> 1) with changes."""
    return Encounter.model_validate(encounter_for("SIMPAY", **changes))


CONFIRMING = Reading(diagnoses=(Suggested("E11.65"), Suggested("I10")))
