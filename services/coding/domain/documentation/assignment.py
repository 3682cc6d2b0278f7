"""Assign ICD-10-CM codes from a clinical note: find diagnoses, drop what the context rules out, pick the most
specific code the text supports, apply the combination conventions, and keep the evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import simple_icd_10_cm as icd

from services.coding.domain.documentation.lexicon import Concept, Lexicon, contains, lexicon
from services.coding.domain.documentation.model import (
    EvidenceSpan,
    NoteReading,
    SkippedMention,
    SkipReason,
    SuggestedDiagnosis,
)
from services.coding.domain.documentation.pipeline import DX, Mention, ParsedNote, parse_note

ICD10_EFFECTIVE = dt.date(2015, 10, 1)
MAX_NOTE_CHARS = 100_000
ASSESSMENT = "assessment_plan"


@dataclass(frozen=True)
class CodedProblem:
    """A code the note supports, with the mentions behind it (used by reading and by the E/M level)."""

    code: str
    kind: str
    family: str
    specific: bool
    unspecified: bool
    status: str | None
    mentions: tuple[Mention, ...]


def skip_reason(mention: Mention, concept: Concept) -> SkipReason | None:
    """Why a mention must not be coded, or None when it may be."""
    if mention.negated:
        return "negated"
    if mention.family:
        return "family"
    if mention.hypothetical:
        return "hypothetical"
    if mention.uncertain:
        return "uncertain"
    if mention.historical and not concept.keeps_history:
        return "historical"
    return None


def resolve_code(mention: Mention, concept: Concept, lex: Lexicon) -> tuple[str, bool, bool, str | None]:
    """(code, specific, unspecified, status): the first variant whose qualifiers all occur near the mention."""
    for variant in concept.variants:
        if all(any(contains(mention.window, words) for words in lex.qualifiers[name]) for name in variant.when):
            code = variant.code
            if concept.episode:
                code += _episode_character(mention, lex)
            return code, bool(variant.when), variant.unspecified, variant.status
    raise ValueError(f"concept {concept.id} has no default code")  # the lexicon test guarantees a default


def _episode_character(mention: Mention, lex: Lexicon) -> str:
    for char, markers in lex.episode_markers.items():
        if any(contains(mention.sentence_words, words) for words in markers):
            return char
    return "A"


def _pool(parsed: ParsedNote) -> tuple[Mention, ...]:
    """The mentions we code from: the assessment and plan when the note has one, else the whole note."""
    diagnoses = parsed.of(DX)
    assessed = tuple(m for m in diagnoses if m.section == ASSESSMENT)
    return assessed or diagnoses


def _combine(problems: list[CodedProblem], lex: Lexicon) -> list[CodedProblem]:
    for rule in lex.combinations:
        codes = [p.code for p in problems]
        if not all(any(code.startswith(prefix) for code in codes) for prefix in rule.if_all):
            continue
        removed = [p for p in problems if any(p.code.startswith(prefix) for prefix in rule.remove)]
        source = removed or [p for p in problems if p.code.startswith(rule.if_all[0])]
        mentions = tuple(m for p in source for m in p.mentions)
        kind = source[0].kind
        status = next((p.status for p in source if p.status), None)
        position = problems.index(source[0])
        kept = [p for p in problems if p not in removed]
        combined = CodedProblem(rule.add, kind, rule.add[:3], True, False, status, mentions)
        kept.insert(min(position, len(kept)), combined)
        problems = kept
    return problems


def _merge(problems: list[CodedProblem]) -> list[CodedProblem]:
    """One problem per code, mentions merged; unspecified codes give way to a specific code of their family."""
    specific_families = {p.family for p in problems if not p.unspecified}
    merged: dict[str, CodedProblem] = {}
    for problem in problems:
        if problem.unspecified and problem.family in specific_families:
            continue
        if problem.code in merged:
            existing = merged[problem.code]
            merged[problem.code] = replace(existing, mentions=existing.mentions + problem.mentions,
                                           status=existing.status or problem.status)
        else:
            merged[problem.code] = problem
    return list(merged.values())


def assign_codes(parsed: ParsedNote) -> tuple[list[CodedProblem], list[SkippedMention]]:
    """The codes a parsed note supports, and every diagnosis mention skipped for its context."""
    lex = lexicon()
    skipped = []
    for mention in parsed.of(DX):
        reason = skip_reason(mention, lex.concepts[mention.key])
        if reason:
            skipped.append(SkippedMention(EvidenceSpan(mention.start, mention.end), reason))
    problems = []
    for mention in _pool(parsed):
        concept = lex.concepts[mention.key]
        if skip_reason(mention, concept):
            continue
        if concept.kind == "symptom" and "ATTRIBUTED" in mention.modifiers:
            continue  # "fatigue due to anemia": the symptom is part of the diagnosis
        code, specific, unspecified, status = resolve_code(mention, concept, lex)
        problems.append(CodedProblem(code, concept.kind, concept.family, specific, unspecified, status, (mention,)))
    return _merge(_combine(_merge(problems), lex)), skipped


def _confidence(problem: CodedProblem, parsed: ParsedNote) -> float:
    if any(m.section == ASSESSMENT for m in problem.mentions):
        score = 0.88
    else:
        score = 0.72 if not parsed.has_assessment else 0.55
    score += 0.05 if problem.specific else 0.0
    score -= 0.12 if problem.unspecified else 0.0
    score += 0.03 if len(problem.mentions) > 1 else 0.0
    if all(m.end - m.start <= 4 for m in problem.mentions):
        score -= 0.05  # abbreviations only ("HTN", "CAD") are more often ambiguous
    return round(min(0.98, max(0.05, score)), 2)


def _evidence(problem: CodedProblem, parsed: ParsedNote) -> tuple[EvidenceSpan, ...]:
    """The problem's own mentions plus uncontradicted mentions of the same concept elsewhere in the note."""
    lex = lexicon()
    keys = {m.key for m in problem.mentions}
    spans = {(m.start, m.end) for m in problem.mentions}
    for mention in parsed.of(DX):
        if mention.key in keys and not skip_reason(mention, lex.concepts[mention.key]):
            spans.add((mention.start, mention.end))
    return tuple(EvidenceSpan(start, end) for start, end in sorted(spans))


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
    return None


def read_note(note: str, date_of_service: dt.date) -> NoteReading:
    """Suggested ICD-10-CM codes for a note, with evidence spans and confidence, and the mentions skipped."""
    problem = note_problem(note)
    if problem is None and not isinstance(date_of_service, dt.date):
        problem = "date of service is missing"
    elif problem is None and date_of_service < ICD10_EFFECTIVE:
        problem = "date of service is before ICD-10-CM took effect (2015-10-01)"
    if problem:
        return NoteReading((), (), problem)
    try:
        parsed = parse_note(note)
        problems, skipped = assign_codes(parsed)
    except Exception as error:  # noqa: BLE001 - a note we cannot read becomes a review reason, never a crash
        return NoteReading((), (), f"note could not be read ({type(error).__name__})")
    diagnoses = tuple(SuggestedDiagnosis(p.code, icd.get_description(p.code), _confidence(p, parsed),
                                         _evidence(p, parsed)) for p in problems)
    return NoteReading(diagnoses, tuple(skipped), None)
