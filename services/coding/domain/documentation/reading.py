"""Read notes into suggested ICD-10-CM codes: one note (`read_note`) or a batch (`read_notes`, for the consumer).

`read_notes` runs the pipeline once over the batch with `nlp.pipe`, reads identical notes once (by a hash of the
note and its release), and is pure: no I/O, nothing logged, safe to call in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence

from services.coding.domain.documentation.assignment import ASSESSMENT, CodedProblem, assign_codes, mention_id
from services.coding.domain.documentation.code_releases import CodeRelease, release_for
from services.coding.domain.documentation.model import EvidenceSpan, NoteReading, SuggestedDiagnosis
from services.coding.domain.documentation.pipeline import DX, ParsedNote, parse_notes

ICD10_EFFECTIVE = dt.date(2015, 10, 1)
MAX_NOTE_CHARS = 100_000
# Reading grows faster than the note: 10,000 words dense with diagnoses took 24 s of CPU, while coding's batch
# waited. An outpatient note is a few hundred words and a long consult or discharge summary a few thousand; past
# this a coder reads the note (its worst case, every word a diagnosis, costs the reader about 6 s).
MAX_NOTE_WORDS = 5_000
WORD = re.compile(r"[^\W\d_]{2,}")


def note_problem(note: object) -> str | None:
    """Why a note cannot be read, or None when it can."""
    if not isinstance(note, str):
        return "note is not text"
    if not note.strip():
        return "note is empty"
    if len(note) > MAX_NOTE_CHARS:
        return f"note is longer than {MAX_NOTE_CHARS} characters"
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in note)
    if "\x00" in note or printable < 0.95 * len(note):
        return "note is not readable text (control or binary characters)"
    if sum(ch.isalpha() for ch in note) < 3:
        return "note has no words"
    if sum(1 for _ in WORD.finditer(note)) > MAX_NOTE_WORDS:
        return f"note has more than {MAX_NOTE_WORDS:,} words, more than the reader reads; a coder reads it"
    return None


def _unreadable(note: object, date_of_service: object) -> str | None:
    problem = note_problem(note)
    if problem is None and not isinstance(date_of_service, dt.date):
        return "date of service is missing"
    if problem is None and isinstance(date_of_service, dt.date) and date_of_service < ICD10_EFFECTIVE:
        return "date of service is before ICD-10-CM took effect (2015-10-01)"
    return problem


def _confidence(problem: CodedProblem, parsed: ParsedNote) -> float:
    if not problem.mentions or any(m.section == ASSESSMENT for m in problem.mentions):
        score = 0.88
    else:
        score = 0.72 if not parsed.has_assessment else 0.55
    score += 0.05 if problem.specific else 0.0
    score -= 0.12 if problem.unspecified else 0.0
    score += 0.03 if len(problem.mentions) > 1 else 0.0
    if problem.mentions and all(m.end - m.start <= 4 for m in problem.mentions):
        score -= 0.05  # abbreviations only ("HTN", "CAD") are more often ambiguous
    return round(min(0.98, max(0.05, score)), 2)


def _evidence(problem: CodedProblem, parsed: ParsedNote, skipped: set[tuple[int, int]]) -> tuple[EvidenceSpan, ...]:
    """The problem's own mentions plus uncontradicted mentions of the same diagnosis elsewhere in the note."""
    keys = {mention_id(m) for m in problem.mentions if m.label == DX}
    spans = {(m.start, m.end) for m in problem.mentions}
    for mention in parsed.of(DX):
        if mention_id(mention) in keys and (mention.start, mention.end) not in skipped:
            spans.add((mention.start, mention.end))
    return tuple(EvidenceSpan(start, end) for start, end in sorted(spans))


def _reading(note: str, parsed: ParsedNote, release: CodeRelease) -> NoteReading:
    problems, skipped = assign_codes(parsed, release, note)
    skipped_spans = {(s.text_span.start, s.text_span.end) for s in skipped}
    diagnoses = tuple(SuggestedDiagnosis(p.code, release.description(p.code), _confidence(p, parsed),
                                         _evidence(p, parsed, skipped_spans)) for p in problems)
    return NoteReading(diagnoses, tuple(skipped), None)


def note_key(note: str, release: CodeRelease) -> str:
    """Identical notes coded against the same release read the same: the key a batch reads each once by."""
    return hashlib.blake2b(f"{release.name}\0{note}".encode(), digest_size=16).hexdigest()


def read_notes(notes: Sequence[tuple[str, dt.date]]) -> list[NoteReading]:
    """Suggested codes for a batch of (note, date of service), in order; one `nlp.pipe` over the distinct notes."""
    readings: list[NoteReading | None] = [None] * len(notes)
    pending: dict[str, tuple[str, CodeRelease, list[int]]] = {}
    for index, (note, date_of_service) in enumerate(notes):
        problem = _unreadable(note, date_of_service)
        if problem:
            readings[index] = NoteReading((), (), problem)
            continue
        release = release_for(date_of_service)
        key = note_key(note, release)
        pending.setdefault(key, (note, release, []))[2].append(index)
    work = list(pending.values())
    try:
        parsed_notes = parse_notes([(note, release) for note, release, _ in work])
    except Exception:  # noqa: BLE001 - read one by one so one bad note cannot fail the batch
        parsed_notes = [None] * len(work)
    for (note, release, indexes), parsed in zip(work, parsed_notes, strict=True):
        reading = _read_one(note, release, parsed)
        for index in indexes:
            readings[index] = reading
    return [reading for reading in readings if reading is not None]


def _read_one(note: str, release: CodeRelease, parsed: ParsedNote | None) -> NoteReading:
    try:
        if parsed is None:
            parsed = parse_notes([(note, release)])[0]
        return _reading(note, parsed, release)
    except Exception as error:  # noqa: BLE001 - a note we cannot read becomes a review reason, never a crash
        return NoteReading((), (), f"note could not be read ({type(error).__name__})")


def read_note(note: str, date_of_service: dt.date) -> NoteReading:
    """Suggested ICD-10-CM codes for a note, with evidence spans and confidence, and the mentions skipped."""
    return read_notes([(note, date_of_service)])[0]
