"""What a coder does to a review item: take it, accept, override, remove or add a code, resolve it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from services.coding.domain.coding_decision import (
    CodedDiagnosis,
    CodedLine,
    EmOutcome,
    attach_edits,
    attach_line_edits,
    dotted,
)
from services.coding.domain.decision_rules import Finding
from services.coding.domain.review_queue import (
    ASSIGNED,
    OPEN,
    EditsStillFire,
    InvalidCodeDecision,
    ReviewClosed,
    ReviewItem,
    ReviewNotAssigned,
    UndecidedCodes,
    WorkingDiagnosis,
    WorkingLine,
)
from shared.contracts.encounter import Encounter
from shared.contracts.field_formats import ICD10CM, MODIFIER, PROCEDURE

MAX_DIAGNOSES, MAX_POINTERS, MAX_MODIFIERS = 12, 4, 4


@dataclass(frozen=True)
class CodeDecision:
    """One coder decision. Diagnoses are named by code, procedures by line number."""

    action: str  # accept, override, remove, add
    kind: str  # diagnosis, procedure
    reason: str
    code: str | None = None
    line_number: int | None = None
    new_code: str | None = None
    modifiers: tuple[str, ...] | None = None  # procedure override: the line's new modifiers
    line_numbers: tuple[int, ...] = ()  # diagnosis add: lines that should point to it


@dataclass(frozen=True)
class DecisionRecord:
    """What the audit trail says about a decision: the code it was about and what it became."""

    action: str
    kind: str
    code: str | None
    new_code: str | None
    line_number: int | None
    reason: str


def assign(item: ReviewItem, principal: str, reassign: bool = False) -> bool:
    """Give the item to principal; False when it already held it (nothing to record)."""
    _still_open(item)
    if item.assigned_to == principal:
        return False
    if item.assigned_to is not None and not reassign:
        raise ReviewNotAssigned(f"review {item.review_id} is held by another coder; pass reassign to take it")
    item.assigned_to, item.status = principal, ASSIGNED
    return True


def decide(item: ReviewItem, principal: str, decision: CodeDecision) -> DecisionRecord:
    """Apply one decision to the item, or raise (the caller then discards the item, unsaved)."""
    _still_open(item)
    if item.assigned_to != principal:
        raise ReviewNotAssigned(f"claim review {item.review_id} (POST .../assignment) before deciding on it")
    if decision.kind == "diagnosis":
        record = _decide_diagnosis(item, decision)
    else:
        record = _decide_procedure(item, decision)
    try:
        item.final_encounter()
    except ValidationError as error:
        where = ".".join(str(p) for p in error.errors()[0]["loc"])
        raise InvalidCodeDecision(f"the claim would not be valid after this decision ({where})") from None
    return record


def _decide_diagnosis(item: ReviewItem, decision: CodeDecision) -> DecisionRecord:
    if decision.action == "add":
        return _add_diagnosis(item, decision)
    if decision.code is None:
        raise InvalidCodeDecision("name the diagnosis code decided on", "/code")
    target = next((d for d in item.diagnoses if d.code == dotted(decision.code) and d.status != "removed"), None)
    if target is None:
        raise InvalidCodeDecision(f"diagnosis {dotted(decision.code)} is not on review {item.review_id}", "/code")
    record = DecisionRecord(decision.action, "diagnosis", target.code, None, None, decision.reason)
    if decision.action == "accept":
        if not target.billed:
            _room_for_diagnosis(item)
            target.billed = True
        target.decision, target.status = "accept", "accepted"
    elif decision.action == "override":
        new_code = _diagnosis_code(decision.new_code, item, "/new_code")
        if not target.billed:
            _room_for_diagnosis(item)
            target.billed = True
        target.original_code, target.code, target.source = target.code, new_code, "coder"
        target.decision, target.status, target.evidence, target.confidence = "override", "overridden", [], None
        record = DecisionRecord("override", "diagnosis", record.code, new_code, None, decision.reason)
    else:
        _removable(item, target)
        target.billed, target.decision, target.status = False, "remove", "removed"
    return record


def _add_diagnosis(item: ReviewItem, decision: CodeDecision) -> DecisionRecord:
    new_code = _diagnosis_code(decision.new_code, item, "/new_code")
    _room_for_diagnosis(item)
    lines = [_line(item, number) for number in decision.line_numbers]
    for line in lines:
        if len(line.diagnosis_keys) >= MAX_POINTERS:
            raise InvalidCodeDecision(f"line {line.line_number} already points to {MAX_POINTERS} diagnoses",
                                      "/line_numbers")
    key = max((d.key for d in item.diagnoses), default=0) + 1
    item.diagnoses.append(WorkingDiagnosis(key, new_code, "coder", "added", True, decision="add"))
    for line in lines:
        line.diagnosis_keys.append(key)
    return DecisionRecord("add", "diagnosis", None, new_code, None, decision.reason)


def _decide_procedure(item: ReviewItem, decision: CodeDecision) -> DecisionRecord:
    if decision.action == "add":
        raise InvalidCodeDecision("a coder cannot add a service line (it needs a charge): correct the encounter "
                                  "at intake instead", "/action")
    if decision.line_number is None:
        raise InvalidCodeDecision("name the service line decided on", "/line_number")
    line = _line(item, decision.line_number)
    record = DecisionRecord(decision.action, "procedure", line.code, None, line.line_number, decision.reason)
    if decision.action == "accept":
        line.decision, line.status = "accept", "accepted"
    elif decision.action == "override":
        if decision.new_code is None and decision.modifiers is None:
            raise InvalidCodeDecision("an override needs a new_code, new modifiers or both", "/new_code")
        new_code = line.code if decision.new_code is None else decision.new_code.strip().upper()
        if not re.match(PROCEDURE, new_code):
            raise InvalidCodeDecision("new_code is not a CPT or HCPCS Level II code", "/new_code")
        modifiers = list(line.modifiers if decision.modifiers is None else decision.modifiers)
        modifiers = [m.strip().upper() for m in modifiers]
        if len(modifiers) > MAX_MODIFIERS or len(set(modifiers)) < len(modifiers) or \
                not all(re.match(MODIFIER, m) for m in modifiers):
            raise InvalidCodeDecision("modifiers must be up to four distinct two-character modifiers", "/modifiers")
        line.original_code = line.original_code or line.code
        line.code, line.modifiers, line.source = new_code, modifiers, "coder"
        line.decision, line.status, line.evidence = "override", "overridden", []
        record = DecisionRecord("override", "procedure", record.code, new_code, line.line_number, decision.reason)
    else:
        if sum(not other.removed for other in item.lines) <= 1:
            raise InvalidCodeDecision("the claim's only service line cannot be removed", "/line_number")
        line.removed, line.decision, line.status = True, "remove", "removed"
    return record


def _line(item: ReviewItem, number: int) -> WorkingLine:
    line = next((line for line in item.lines if line.line_number == number and not line.removed), None)
    if line is None:
        raise InvalidCodeDecision(f"review {item.review_id} has no service line {number}", "/line_number")
    return line


def _diagnosis_code(code: str | None, item: ReviewItem, pointer: str) -> str:
    if code is None:
        raise InvalidCodeDecision("name the new ICD-10-CM code", pointer)
    new_code = dotted(code)
    if not re.match(ICD10CM, new_code):
        raise InvalidCodeDecision("the new code is not in ICD-10-CM format (e.g. E11.65)", pointer)
    if any(d.code == new_code for d in item.billed):
        raise InvalidCodeDecision(f"diagnosis {new_code} is already on the claim", pointer)
    return new_code


def _room_for_diagnosis(item: ReviewItem) -> None:
    if len(item.billed) >= MAX_DIAGNOSES:
        raise InvalidCodeDecision(f"a claim holds at most {MAX_DIAGNOSES} diagnoses; remove one first", "/code")


def _removable(item: ReviewItem, target: WorkingDiagnosis) -> None:
    if not target.billed:
        return
    if len(item.billed) <= 1:
        raise InvalidCodeDecision("the claim's only diagnosis cannot be removed; override it instead", "/code")
    for line in item.lines:
        if not line.removed and line.diagnosis_keys and set(line.diagnosis_keys) <= {target.key}:
            raise InvalidCodeDecision(f"line {line.line_number} points only to {target.code}: override it, or add "
                                      "its replacement to the line first", "/code")


def _still_open(item: ReviewItem) -> None:
    if item.status not in (OPEN, ASSIGNED):
        raise ReviewClosed(f"review {item.review_id} is already {item.status}")


def resolve(item: ReviewItem, principal: str, edits: Sequence[Finding],
            acknowledged: Sequence[str] = ()) -> Encounter:
    """Close the item on the coder's code set; the edits are the ones that fire on that set."""
    _still_open(item)
    if item.assigned_to != principal:
        raise ReviewNotAssigned(f"claim review {item.review_id} (POST .../assignment) before resolving it")
    waiting = item.undecided()
    if waiting:
        raise UndecidedCodes(f"decide on {', '.join(waiting)} before resolving review {item.review_id}")
    unacknowledged = sorted({f.edit_id for f in edits if f.blocks} - set(acknowledged))
    if unacknowledged:
        raise EditsStillFire(f"error edits still fire on the coder's codes: {', '.join(unacknowledged)}; fix them "
                             "or acknowledge them by id", unacknowledged)
    item.status = "resolved"
    return item.final_encounter()


def resolved_codes(item: ReviewItem, edits: Sequence[Finding]) -> tuple[tuple[CodedDiagnosis, ...],
                                                                         tuple[CodedLine, ...]]:
    """The item's billed codes at their final positions, with the edits that fire on them."""
    positions = {d.key: index for index, d in enumerate(item.billed, start=1)}
    diagnoses = [CodedDiagnosis(d.code, d.source, d.status, positions[d.key], tuple(tuple(s) for s in d.evidence),
                                d.confidence, d.description) for d in item.billed]
    kept = [line for line in item.lines if not line.removed]
    lines = [CodedLine(number, line.code, tuple(line.modifiers),
                       tuple(positions[k] for k in line.diagnosis_keys if k in positions), line.source, line.status,
                       tuple(tuple(s) for s in line.evidence), EmOutcome(**line.em) if line.em else None)
             for number, line in enumerate(kept, start=1)]
    return attach_edits(diagnoses, edits), attach_line_edits(lines, edits)
