"""A coder review item: the claim's codes as the coder works them, until resolved into a final code set.

The item keeps every diagnosis it was opened with (billed ones and the note's suggestions that were
not billed) under a stable key, and every service line under its original line number, so the
coder's decisions keep pointing at the same things while codes are replaced, removed and added.
Codes that need a decision: the ones a blocking rule or edit named, and, when a blocking reason
names no code (an unreadable note, a denial), every billed code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from services.coding.domain.coding_decision import CodedDiagnosis, CodedLine, CodingDecision
from shared.contracts.encounter import Encounter
from shared.errors import DomainError

OPEN, ASSIGNED, RESOLVED, SUPERSEDED = "open", "assigned", "resolved", "superseded"
NEEDS_DECISION = {"unsupported", "flagged", "overcoded", "undercoded"}


class ReviewNotFound(DomainError):
    """No review item with this id for the tenant."""


class ReviewClosed(DomainError):
    """The review item is resolved or superseded; it takes no more decisions."""


class ReviewNotAssigned(DomainError):
    """The caller must hold the review item (claim it) before deciding on it."""


class InvalidCodeDecision(DomainError):
    """The decision does not fit the item (unknown code or line, bad format, a rule of the claim)."""

    def __init__(self, detail: str, pointer: str = "/"):
        super().__init__(detail)
        self.pointer = pointer


class UndecidedCodes(DomainError):
    """Codes that need a coder's decision are still undecided."""


class EditsStillFire(DomainError):
    """The coder's code set still fails error edits the coder has not acknowledged."""

    def __init__(self, detail: str, edit_ids: list[str]):
        super().__init__(detail)
        self.edit_ids = edit_ids


@dataclass
class WorkingDiagnosis:
    key: int
    code: str
    source: str  # pms, suggested, coder
    status: str
    billed: bool
    needs_decision: bool = False
    decision: str | None = None  # the coder's last action on it
    original_code: str | None = None  # the code before a coder's override
    evidence: list[list[int]] = field(default_factory=list)
    confidence: float | None = None
    description: str | None = None
    edits: list[str] = field(default_factory=list)


@dataclass
class WorkingLine:
    line_number: int
    code: str
    modifiers: list[str]
    diagnosis_keys: list[int]
    source: str
    status: str
    needs_decision: bool = False
    decision: str | None = None
    removed: bool = False
    original_code: str | None = None
    evidence: list[list[int]] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)
    em: dict[str, Any] | None = None


@dataclass
class ReviewItem:
    review_id: str
    claim_id: str
    tenant_id: str
    trigger: str  # coding, encounter_corrected, denial
    reasons: list[str]
    encounter: Encounter  # the encounter under review; codes come from the working lists
    diagnoses: list[WorkingDiagnosis]
    lines: list[WorkingLine]
    status: str = OPEN
    assigned_to: str | None = None
    coding_round: int = 1
    skipped: list[list[Any]] = field(default_factory=list)  # [start, end, reason] the note reader left out

    @property
    def billed(self) -> list[WorkingDiagnosis]:
        return [d for d in self.diagnoses if d.billed]

    def undecided(self) -> list[str]:
        """Codes still waiting for the coder (diagnosis codes, and procedures as 'line N code')."""
        return ([d.code for d in self.diagnoses if d.needs_decision and d.decision is None] +
                [f"line {line.line_number} {line.code}" for line in self.lines
                 if line.needs_decision and line.decision is None and not line.removed])

    def final_encounter(self) -> Encounter:
        """The encounter with the coder's codes, validated like any encounter at intake."""
        positions = {d.key: index + 1 for index, d in enumerate(self.billed)}
        data = self.encounter.model_dump(mode="json")
        data["diagnoses"] = [d.code for d in self.billed]
        originals = data["service_lines"]
        data["service_lines"] = [
            {**originals[line.line_number - 1], "procedure_code": line.code, "modifiers": line.modifiers,
             "diagnosis_pointers": [positions[key] for key in line.diagnosis_keys if key in positions]}
            for line in self.lines if not line.removed]
        return Encounter.model_validate(data)


def open_review(review_id: str, claim_id: str, tenant_id: str, trigger: str, decision: CodingDecision,
                coding_round: int) -> ReviewItem:
    """The review item for a coding decision that needs a coder."""
    claim_level = any(f.blocks and not f.codes and not f.line_numbers for f in decision.findings)
    blocking = {f.edit_id for f in decision.findings if f.blocks}
    diagnoses = [_working_diagnosis(key, d, claim_level, blocking)
                 for key, d in enumerate((*decision.diagnoses, *decision.suggestions), start=1)]
    key_of = {d.pointer: key for key, d in enumerate(decision.diagnoses, start=1)}
    lines = [_working_line(line, key_of, claim_level, blocking) for line in decision.procedures]
    return ReviewItem(review_id, claim_id, tenant_id, trigger, decision.review_reasons, decision.encounter,
                      diagnoses, lines, coding_round=coding_round, skipped=[list(s) for s in decision.skipped])


def _working_diagnosis(key: int, d: CodedDiagnosis, claim_level: bool, blocking: set[str]) -> WorkingDiagnosis:
    billed = d.pointer is not None
    needs = d.status in NEEDS_DECISION or bool(blocking & set(d.edits)) or (claim_level and billed)
    return WorkingDiagnosis(key, d.code, d.source, d.status, billed, needs, evidence=[list(s) for s in d.evidence],
                            confidence=d.confidence, description=d.description, edits=list(d.edits))


def _working_line(line: CodedLine, key_of: dict[int | None, int], claim_level: bool,
                  blocking: set[str]) -> WorkingLine:
    needs = line.status in NEEDS_DECISION or bool(blocking & set(line.edits)) or claim_level
    return WorkingLine(line.line_number, line.code, list(line.modifiers),
                       [key_of[p] for p in line.diagnosis_pointers if p in key_of], line.source, line.status, needs,
                       evidence=[list(s) for s in line.evidence], edits=list(line.edits),
                       em=asdict(line.em) if line.em else None)


def reopen_review(review_id: str, claim_id: str, tenant_id: str, trigger: str, encounter: Encounter,
                  reasons: list[str], coding_round: int, sources: dict[str, str] | None = None) -> ReviewItem:
    """A review item over an already coded encounter (a denial sent its codes back): every code needs a look."""
    sources = sources or {}
    diagnoses = [WorkingDiagnosis(key, code, sources.get(code, "pms"), "reopened", True, True)
                 for key, code in enumerate(encounter.diagnoses, start=1)]
    lines = [WorkingLine(number, line.procedure_code, list(line.modifiers), list(line.diagnosis_pointers),
                         sources.get(f"line:{number}", "pms"), "reopened", True)
             for number, line in enumerate(encounter.service_lines, start=1)]
    return ReviewItem(review_id, claim_id, tenant_id, trigger, reasons, encounter, diagnoses, lines,
                      coding_round=coding_round)


def diagnosis_from_json(data: dict[str, Any]) -> WorkingDiagnosis:
    return WorkingDiagnosis(**data)


def line_from_json(data: dict[str, Any]) -> WorkingLine:
    return WorkingLine(**data)
