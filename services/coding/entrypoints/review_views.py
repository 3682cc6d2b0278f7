"""JSON shapes of the coder review queue's answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.coding.domain.review_queue import ReviewItem


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _spans(evidence: list[list[int]]) -> list[dict[str, int]]:
    return [{"start": start, "end": end} for start, end in evidence]


def queue_entry(row: dict[str, Any]) -> dict[str, Any]:
    """One line of the queue: enough to pick an item, no codes or note."""
    return {"review_id": row["review_id"], "claim_id": row["claim_id"], "status": row["status"],
            "trigger": row["trigger"], "reasons": row["reasons"], "payer_id": row["payer_id"],
            "date_of_service": row["date_of_service"].isoformat(), "coding_round": row["coding_round"],
            "assigned_to": row["assigned_to"], "opened_at": _when(row["opened_at"])}


def review_view(item: ReviewItem, row: dict[str, Any], decisions: list[dict[str, Any]]) -> dict[str, Any]:
    """The item with its working codes (pointers as current billed positions) and its decisions."""
    positions = {d.key: index for index, d in enumerate(item.billed, start=1)}
    diagnoses = [{"code": d.code, "source": d.source, "status": d.status, "billed": d.billed,
                  "pointer": positions.get(d.key), "needs_decision": d.needs_decision, "decision": d.decision,
                  "original_code": d.original_code, "evidence": _spans(d.evidence), "confidence": d.confidence,
                  "description": d.description, "edits": d.edits} for d in item.diagnoses]
    procedures = [{"line_number": line.line_number, "code": line.code, "modifiers": line.modifiers,
                   "diagnosis_pointers": [positions[k] for k in line.diagnosis_keys if k in positions],
                   "source": line.source, "status": line.status, "removed": line.removed,
                   "needs_decision": line.needs_decision, "decision": line.decision,
                   "original_code": line.original_code, "evidence": _spans(line.evidence), "edits": line.edits,
                   "em": line.em} for line in item.lines]
    return {**queue_entry(row), "closed_at": _when(row["closed_at"]), "closed_by": row["closed_by"],
            "has_note": item.encounter.clinical_note is not None, "diagnoses": diagnoses, "procedures": procedures,
            "undecided": item.undecided(),
            "decisions": [{"decided_by": d["decided_by"], "action": d["action"], "kind": d["kind"], "code": d["code"],
                           "new_code": d["new_code"], "line_number": d["line_number"], "reason": d["reason"],
                           "decided_at": _when(d["decided_at"])} for d in decisions]}


def note_view(item: ReviewItem) -> dict[str, Any]:
    """The note and its highlights, in note order: each span with the code it supports or why it was skipped."""
    highlights: list[dict[str, Any]] = []
    for d in item.diagnoses:
        highlights += [{"start": s, "end": e, "kind": "diagnosis", "code": d.code, "status": d.status,
                        "source": d.source} for s, e in d.evidence]
    for line in item.lines:
        highlights += [{"start": s, "end": e, "kind": "procedure", "code": line.code, "status": line.status,
                        "line_number": line.line_number} for s, e in line.evidence]
    highlights += [{"start": s, "end": e, "kind": "skipped", "reason": reason} for s, e, reason in item.skipped]
    note = item.encounter.clinical_note
    if note is not None:
        highlights = [h for h in highlights if h["end"] <= len(note)]
    return {"review_id": item.review_id, "claim_id": item.claim_id, "note": note,
            "highlights": sorted(highlights, key=lambda h: (h["start"], h["end"]))}
