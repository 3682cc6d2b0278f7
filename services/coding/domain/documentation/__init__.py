"""Reading clinical documentation: ICD-10-CM suggestions with evidence, from medspaCy and a coded lexicon."""

from services.coding.domain.documentation.assignment import read_note
from services.coding.domain.documentation.model import EvidenceSpan, NoteReading, SkippedMention, SuggestedDiagnosis

__all__ = ["EvidenceSpan", "NoteReading", "SkippedMention", "SuggestedDiagnosis", "read_note"]
