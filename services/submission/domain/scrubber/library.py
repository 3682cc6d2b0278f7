"""An edit, what it finds, and the versioned library that runs them over a claim."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from services.submission.domain.scrubber.claim_document import ClaimDocument, claim_document
from services.submission.domain.scrubber.context import ScrubContext
from shared.contracts.encounter import Encounter

Severity = Literal["error", "warning"]
EDIT_ID = re.compile(r"^SCR-[A-Z]{2,4}-\d{3}$")
# An edit's check yields the JSON pointer of every place it fires (none when the claim passes).
Check = Callable[[ClaimDocument, ScrubContext], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Finding:
    """One place an edit fired; carries only fixed text and pointers, never the values found there."""

    edit_id: str
    severity: Severity
    message: str
    fix_hint: str
    pointer: str


@dataclass(frozen=True, slots=True)
class Edit:
    """A pre-submission edit: identity, plain words, when it applies, where it looks, and its check.

    `pointer` is the JSON pointer the edit concerns, with `*` standing for any array index;
    findings carry the concrete pointer.
    """

    edit_id: str
    severity: Severity
    message: str
    fix_hint: str
    pointer: str
    effective_from: dt.date
    effective_to: dt.date | None
    check: Check

    def __post_init__(self) -> None:
        if not EDIT_ID.match(self.edit_id):
            raise ValueError(f"edit id {self.edit_id!r} must look like SCR-ABC-001")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"{self.edit_id}: effective_to precedes effective_from")

    def in_effect(self, on: dt.date) -> bool:
        """True when the edit applies to a claim scrubbed on this date (both ends inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def run(self, document: ClaimDocument, context: ScrubContext) -> list[Finding]:
        """The edit's findings on one claim (empty when it passes or is not in effect)."""
        if not self.in_effect(context.today):
            return []
        return [Finding(self.edit_id, self.severity, self.message, self.fix_hint, pointer)
                for pointer in dict.fromkeys(self.check(document, context))]


@dataclass(frozen=True, slots=True)
class ScrubResult:
    """Every finding of one scrub, and the library version that produced them."""

    library_version: str
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def blocks_submission(self) -> bool:
        """Errors stop a claim from being sent; warnings never do."""
        return bool(self.errors)


@dataclass(frozen=True, slots=True)
class EditLibrary:
    """An ordered, versioned set of edits; bump the version whenever an edit is added or changed."""

    version: str
    edits: tuple[Edit, ...]

    def __post_init__(self) -> None:
        ids = [edit.edit_id for edit in self.edits]
        if len(set(ids)) != len(ids):
            raise ValueError("edit ids must be unique within a library")

    def edit(self, edit_id: str) -> Edit:
        """The edit with this id (KeyError when unknown)."""
        for edit in self.edits:
            if edit.edit_id == edit_id:
                return edit
        raise KeyError(edit_id)

    def scrub(self, encounter: Encounter | ClaimDocument, context: ScrubContext) -> ScrubResult:
        """Run every edit in effect on context.today over the encounter."""
        document = claim_document(encounter)
        return ScrubResult(self.version, tuple(finding for edit in self.edits
                                               for finding in edit.run(document, context)))
