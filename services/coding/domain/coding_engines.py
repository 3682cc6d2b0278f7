"""What the coding decision needs from the coding engines: note reading, E/M assessment and edits.

Shapes only (typing.Protocol): the engines live in `documentation/`, `evaluation_management/` and
`edits/`, and are loaded once at startup by `adapters.coding_engines`; tests pass fakes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from shared.contracts.encounter import Encounter
from shared.errors import DomainError


class CodeSetUnavailable(DomainError):
    """No code set is loaded for the claim's date of service, so its codes cannot be checked."""


class Span(Protocol):
    start: int
    end: int


class Suggestion(Protocol):
    code: str
    description: str
    confidence: float
    evidence: Sequence[Span]


class Reading(Protocol):
    diagnoses: Sequence[Suggestion]
    skipped: Sequence[object]
    problems: str | None


class EmResult(Protocol):
    billed_code: str
    supported_code: str | None
    basis: str
    verdict: str  # supported, overcoded, undercoded, not_assessable
    reason: str
    evidence: Sequence[Span]


class Edit(Protocol):
    edit_id: str
    severity: str  # error, warning
    message: str
    source: str
    codes: Sequence[str]
    line_numbers: Sequence[int]


class EditDefinition(Protocol):
    edit_id: str
    severity: str
    message: str
    source: str


class CodingEngines(Protocol):
    """The engines, loaded once: each call is pure (no I/O) and safe to run in a worker thread.

    `reads_notes` is False when no note reader is installed: notes are then not checked (a warning).
    """

    reads_notes: bool

    def read_note(self, note: str, date_of_service: dt.date) -> Reading: ...

    def read_notes(self, notes: Sequence[tuple[str, dt.date]]) -> Sequence[Reading]:
        """Readings for a batch of (note, date of service), in order: one pass of the NLP pipeline over the batch,
        identical notes read once. Pure and thread-safe; call it once per consumed batch, before the database
        transaction, and hand each claim its reading."""
        ...

    def reader_covers(self, code: str) -> bool:
        """Whether the note reader can recognise this diagnosis at all (else its absence proves nothing)."""
        ...

    def assess_em(self, note: str, billed_code: str) -> EmResult | None: ...

    def run_edits(self, encounter: Encounter) -> Sequence[Edit]: ...

    def edit_definitions(self) -> Sequence[EditDefinition]: ...
