"""Reading clinical documentation: ICD-10-CM suggestions with evidence, from medspaCy, a hand-made lexicon and
the whole ICD-10-CM tabular list of the date's release."""

from services.coding.domain.documentation.model import EvidenceSpan, NoteReading, SkippedMention, SuggestedDiagnosis
from services.coding.domain.documentation.reading import read_note, read_notes

__all__ = ["EvidenceSpan", "NoteReading", "SkippedMention", "SuggestedDiagnosis", "read_note", "read_notes"]
