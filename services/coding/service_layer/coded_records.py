"""Coding outcomes as they are stored (coded_claims rows) and announced (claim.coded v2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from services.coding.domain.coding_decision import CodedDiagnosis, CodedLine
from services.coding.domain.decision_rules import Finding
from shared.contracts.encounter import Encounter
from shared.events import coding_events as events


def diagnosis_json(d: CodedDiagnosis) -> dict[str, Any]:
    return {"code": d.code, "source": d.source, "status": d.status, "pointer": d.pointer,
            "evidence": [{"start": s, "end": e} for s, e in d.evidence], "confidence": d.confidence,
            "description": d.description, "edits": list(d.edits)}


def line_json(line: CodedLine) -> dict[str, Any]:
    return {"line_number": line.line_number, "code": line.code, "modifiers": list(line.modifiers),
            "diagnosis_pointers": list(line.diagnosis_pointers), "source": line.source, "status": line.status,
            "evidence": [{"start": s, "end": e} for s, e in line.evidence], "edits": list(line.edits),
            "em": asdict(line.em) if line.em else None}


def finding_json(f: Finding) -> dict[str, Any]:
    return {"edit_id": f.edit_id, "severity": f.severity, "message": f.message, "source": f.source,
            "codes": list(f.codes), "line_numbers": list(f.line_numbers)}


def claim_coded(encounter: Encounter, diagnoses: Sequence[CodedDiagnosis], lines: Sequence[CodedLine],
                findings: Sequence[Finding], coding_round: int, review_id: str | None = None,
                resolved_by: str | None = None) -> events.ClaimCodedV2:
    """claim.coded for a final code set: downstream bills `encounter`."""
    return events.ClaimCodedV2(
        encounter=encounter,
        diagnoses=[events.CodedDiagnosis(
            code=d.code, source=d.source, pointer=d.pointer, status=d.status, edits=list(d.edits),  # type: ignore[arg-type]
            evidence=[events.EvidenceSpan(start=s, end=e) for s, e in d.evidence]) for d in diagnoses],
        procedures=[events.CodedProcedure(
            line_number=line.line_number, code=line.code, source=line.source, modifiers=list(line.modifiers),  # type: ignore[arg-type]
            diagnosis_pointers=list(line.diagnosis_pointers), status=line.status, edits=list(line.edits),
            evidence=[events.EvidenceSpan(start=s, end=e) for s, e in line.evidence]) for line in lines],
        edits=[events.FiredEdit(edit_id=f.edit_id, severity=f.severity, message=f.message,  # type: ignore[arg-type]
                                source=f.source, codes=list(f.codes), line_numbers=list(f.line_numbers))
               for f in findings],
        coding_round=coding_round, review_id=review_id, resolved_by=resolved_by)


def coded_row(status: str, encounter: Encounter, diagnoses: Sequence[CodedDiagnosis], lines: Sequence[CodedLine],
              findings: Sequence[Finding], coding_round: int, *, suggestions: Sequence[CodedDiagnosis] = (),
              note_status: str | None = None, review_id: str | None = None,
              code_sets: dict[str, Any] | None = None) -> dict[str, Any]:
    """The coded_claims values for the claim's current coding (code_sets: the releases it was checked with)."""
    return {"status": status, "encounter": encounter.model_dump(mode="json"),
            "diagnoses": [diagnosis_json(d) for d in diagnoses], "procedures": [line_json(line) for line in lines],
            "suggestions": [diagnosis_json(d) for d in suggestions], "findings": [finding_json(f) for f in findings],
            "reasons": [f"{f.edit_id}: {f.message}" for f in findings if f.blocks], "note_status": note_status,
            "review_id": review_id, "coding_round": coding_round, "code_sets": code_sets}
