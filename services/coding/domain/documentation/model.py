"""What reading a clinical note returns: suggested ICD-10-CM codes with their evidence, and what was skipped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SkipReason = Literal["negated", "historical", "hypothetical", "family", "uncertain"]


@dataclass(frozen=True)
class EvidenceSpan:
    """Character offsets into the note: note[start:end] is the evidence."""

    start: int
    end: int


@dataclass(frozen=True)
class SuggestedDiagnosis:
    code: str  # ICD-10-CM, dotted as in the Encounter contract ("E11.22")
    description: str
    confidence: float  # 0..1
    evidence: tuple[EvidenceSpan, ...]


@dataclass(frozen=True)
class SkippedMention:
    """A diagnosis the note names but that must not be coded, and why."""

    text_span: EvidenceSpan
    reason: SkipReason


@dataclass(frozen=True)
class NoteReading:
    diagnoses: tuple[SuggestedDiagnosis, ...]
    skipped: tuple[SkippedMention, ...]
    problems: str | None  # why the note could not be read (empty, not text, ...); None when it was read
