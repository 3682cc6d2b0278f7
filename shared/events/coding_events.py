"""Claim events owned by the coding service, added after the first contracts in claim_events.

Define each with `@CONTRACTS.register` on a `ClaimEvent` subclass; nested values subclass `Part`.

`claim.coded` v2 carries, beside the encounter as it will be billed, where each code came from, the
note evidence behind it (character offsets only, never the text) and the edits that fired. A v1
event is upcast to v2 with each code at its billed position and no evidence.
"""

from __future__ import annotations

from typing import Any, Literal

from shared.contracts.encounter import Encounter
from shared.events.parts import Part
from shared.events.registry import CONTRACTS, ClaimEvent

CodeSource = Literal["pms", "suggested", "coder"]


class EvidenceSpan(Part):
    """Character offsets [start, end) into the claim's clinical note."""

    start: int
    end: int


class FiredEdit(Part):
    """An edit that fired on the claim: fixed text that names codes and lines, never note text."""

    edit_id: str
    severity: Literal["error", "warning"]
    message: str
    source: str
    codes: list[str] = []
    line_numbers: list[int] = []


class CodedDiagnosis(Part):
    """A billed diagnosis: its pointer is its 1-based position in the encounter's diagnoses."""

    code: str
    source: CodeSource
    pointer: int
    status: str
    evidence: list[EvidenceSpan] = []
    edits: list[str] = []


class CodedProcedure(Part):
    """A billed service line's procedure, its modifiers and the diagnoses it points to."""

    line_number: int
    code: str
    source: CodeSource
    modifiers: list[str] = []
    diagnosis_pointers: list[int] = []
    status: str
    evidence: list[EvidenceSpan] = []
    edits: list[str] = []


@CONTRACTS.register
class ClaimCodedV2(ClaimEvent):
    """The claim's final code set: the encounter as it will be billed, with sources, evidence and edits.

    `coding_round` counts the times this claim was coded (1 first, 2 after a correction, ...);
    `review_id` and `resolved_by` name the coder review that produced it, when one did.
    """

    event_type = "claim.coded"
    version = 2
    encounter: Encounter
    diagnoses: list[CodedDiagnosis]
    procedures: list[CodedProcedure]
    edits: list[FiredEdit] = []
    coding_round: int = 1
    review_id: str | None = None
    resolved_by: str | None = None


@CONTRACTS.upcaster("claim.coded", 1)
def upcast_claim_coded_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 listed codes and sources only: keep them at their billed positions, without evidence."""
    encounter = data["encounter"]
    lines = encounter.get("service_lines", [])
    diagnoses = [{"code": d["code"], "source": d["source"], "pointer": index + 1, "status": "coded"}
                 for index, d in enumerate(data.get("diagnoses", []))]
    procedures = [{"line_number": index + 1, "code": p["code"], "source": p["source"], "status": "coded",
                   "modifiers": lines[index].get("modifiers", []) if index < len(lines) else [],
                   "diagnosis_pointers": lines[index].get("diagnosis_pointers", []) if index < len(lines) else []}
                  for index, p in enumerate(data.get("procedures", []))]
    return {"encounter": encounter, "diagnoses": diagnoses, "procedures": procedures}


CodingAction = Literal["accept", "override", "remove", "add"]


@CONTRACTS.register
class ClaimCodingReviewAssigned(ClaimEvent):
    """A coder took (or was given) the claim's review item."""

    event_type = "claim.coding_review_assigned"
    review_id: str
    assigned_to: str  # the principal's credential id, never a person's name
    assigned_by: str


@CONTRACTS.register
class ClaimCodingDecisionRecorded(ClaimEvent):
    """A coder's decision on one code: the claim's audit trail of who changed what and why."""

    event_type = "claim.coding_decision_recorded"
    review_id: str
    decided_by: str  # the principal's credential id, never a person's name
    action: CodingAction
    kind: Literal["diagnosis", "procedure"]
    code: str | None  # the code decided on (None when adding)
    new_code: str | None  # the replacement (override) or the added code
    line_number: int | None  # the service line, for procedures
    reason: str  # the coder's words; the API asks for no PHI here


@CONTRACTS.register
class ClaimCodingReviewRequiredV2(ClaimEvent):
    """Coding found edits or weak evidence (or a denial sent the codes back); the claim waits for a coder
    in review item `review_id`. `trigger` says why it was opened: coding, a corrected encounter, a denial."""

    event_type = "claim.coding_review_required"
    version = 2
    reasons: list[str]
    review_id: str | None = None
    trigger: Literal["coding", "encounter_corrected", "denial"] = "coding"


@CONTRACTS.upcaster("claim.coding_review_required", 1)
def upcast_coding_review_required_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 carried the reasons only."""
    return {"reasons": data["reasons"]}
