"""Assign ICD-10-CM codes from a clinical note: find diagnoses, drop what the context rules out, pick the most
specific code the text and the date's release support, apply the guidelines' conventions, keep the evidence."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from services.coding.domain.documentation.code_releases import CodeRelease
from services.coding.domain.documentation.conventions import (
    additional_symptom_codes,
    bmi_code,
    drop_diabetes_drug_codes,
    drug_therapy_code,
    history_code,
    integral_to,
    pregnancy_codes,
    pregnancy_complications,
    routine_exam_code,
)
from services.coding.domain.documentation.dx_matcher import TABULAR
from services.coding.domain.documentation.lexicon import Concept, Lexicon, contains, lexicon, tabular_concept
from services.coding.domain.documentation.model import EvidenceSpan, SkippedMention, SkipReason
from services.coding.domain.documentation.note_sections import ASSESSMENT
from services.coding.domain.documentation.note_words import note_words, phrase_words
from services.coding.domain.documentation.pipeline import DRUG, DX, FAMILY_SECTIONS, RX, Mention, ParsedNote
from services.coding.domain.documentation.tabular_terms import best_words, satisfied, tabular_terms, with_expansions

# Family history (Z80-Z84), personal history (Z85-Z87) and lasting statuses (Z89-Z99), not encounters or screening.
FAMILY_HISTORY = ("Z80", "Z81", "Z82", "Z83", "Z84")
HISTORY_AND_STATUS = (*FAMILY_HISTORY, "Z85", "Z86", "Z87", "Z89", "Z9")
EXPOSURE_CODES = ("Z20", "Z77")  # contact with and (suspected) exposure to


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


def concept_of(mention: Mention, release: CodeRelease) -> list[Concept]:
    """The lexicon concept a diagnosis mention names, or one concept per code the tabular list chose."""
    if mention.key == TABULAR:
        return [tabular_concept(code, release.description(code)) for code in mention.codes]
    return [lexicon().concepts[mention.key]]


def mention_id(mention: Mention) -> str:
    """What a mention names, to find other mentions of the same diagnosis."""
    return f"{TABULAR}:{','.join(mention.codes)}" if mention.key == TABULAR else mention.key


def skip_reason(mention: Mention, concept: Concept) -> SkipReason | None:
    """Why a mention must not be coded as a current condition, or None when it may be."""
    if mention.negated:
        return "negated"
    if mention.family and not concept.keeps_family:
        return "family"
    if mention.hypothetical and not concept.variants[-1].code.startswith(EXPOSURE_CODES):
        return "hypothetical"  # "exposure to X" is not X, but it is the exposure code (Z77.22) when one names it
    if mention.uncertain:
        return "uncertain"
    if mention.historical and not concept.keeps_history:
        return "historical"
    return None


def resolve_code(mention: Mention, concept: Concept, lex: Lexicon,
                 release: CodeRelease | None = None) -> tuple[str, bool, bool, str | None]:
    """(code, specific, unspecified, status): the first variant whose qualifiers all occur near the mention; a code
    the release no longer has is chosen again under its successor (M72.2 -> M67.A, I42.0 -> I42.00)."""
    for variant in concept.variants:
        if all(any(contains(mention.window, words) for words in lex.qualifiers[name]) for name in variant.when):
            code = variant.code
            if concept.episode:
                code += _episode_character(mention, lex)
            if release is not None and not release.billable(code):
                code = _successor(code, mention, lex, release) or code
            return code, bool(variant.when), variant.unspecified, variant.status
    raise ValueError(f"concept {concept.id} has no default code")  # the lexicon test guarantees a default


def _successor(code: str, mention: Mention, lex: Lexicon, release: CodeRelease) -> str | None:
    node = lex.successors.get(code, code)
    terms = tabular_terms()
    named = [alias for c in [node] for alias in terms.by_code.get(c, ())][:1]
    if not named:
        return None
    chosen = terms.choose(named, frozenset(with_expansions(mention.sentence_words)), release)
    return chosen[0] if chosen else None


def _default_code(concept: Concept) -> str:
    return concept.variants[-1].code


def _episode_character(mention: Mention, lex: Lexicon) -> str:
    for char, markers in lex.episode_markers.items():
        if any(contains(mention.sentence_words, words) for words in markers):
            return char
    return "A"


def _in_pool(mention: Mention, parsed: ParsedNote) -> bool:
    """The assessment and plan when the note has one, else the whole note."""
    return mention.section == ASSESSMENT or not parsed.has_assessment


def _combine(problems: list[CodedProblem], lex: Lexicon) -> list[CodedProblem]:
    for rule in lex.combinations:
        codes = [p.code for p in problems]
        if not all(any(code.startswith(prefix) for code in codes) for prefix in rule.if_all):
            continue
        if rule.add in codes and not any(code.startswith(prefix) for prefix in rule.remove for code in codes):
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


def _problems_of(mention: Mention, release: CodeRelease, lex: Lexicon) -> list[CodedProblem]:
    problems = []
    for concept in concept_of(mention, release):
        reason = skip_reason(mention, concept)
        if reason in ("family", "historical"):
            code = resolve_code(mention, concept, lex, release)[0]
            history = history_code(code, reason == "family", release)
            if history and not mention.negated:
                problems.append(CodedProblem(history, "status", history[:3], True, False, None, (mention,)))
            continue
        if reason:
            continue
        if concept.kind == "symptom" and "ATTRIBUTED" in mention.modifiers:
            continue  # "fatigue due to anemia": the symptom is part of the diagnosis
        code, specific, unspecified, status = resolve_code(mention, concept, lex, release)
        if mention.codes and mention.key != TABULAR and code == _default_code(concept):
            # the lexicon named the concept but only its default code; the tabular list read more of the words
            # around it (up to the next diagnosis)
            sentence = frozenset(with_expansions(mention.window))
            written = len(phrase_words(mention.text))
            better = [c for c in mention.codes if c[:3] == code[:3] and c != code and release.billable(c)
                      and best_words(c, sentence) > written]
            if better:
                code, specific, unspecified = better[0], True, False
        if release.billable(code):
            problems.append(CodedProblem(code, concept.kind, concept.family, specific, unspecified, status,
                                         (mention,)))
    return problems


def _history_and_status_elsewhere(parsed: ParsedNote, release: CodeRelease, lex: Lexicon) -> list[CodedProblem]:
    """Personal history and status codes written outside the assessment ("a former smoker who quit 10 years ago"):
    facts about the patient that stay true wherever they are written, unlike a problem, which counts only where the
    provider assesses it. A family history counts when the provider wrote it into the story ("Father had colon
    cancer at 52"), not when it is a line of the templated Family History section, which lists every relative's
    condition whether or not it bears on the visit."""
    found = []
    for mention in parsed.of(DX):
        if _in_pool(mention, parsed) or mention.negated or mention.hypothetical or mention.uncertain:
            continue
        for problem in _problems_of(mention, release, lex):
            if problem.code.startswith(FAMILY_HISTORY) and mention.section in FAMILY_SECTIONS:
                continue
            if problem.code.startswith(HISTORY_AND_STATUS):
                found.append(problem)
    return found


def _drug_therapy(parsed: ParsedNote, codes: set[str]) -> list[CodedProblem]:
    everything = parsed.words
    found: dict[str, CodedProblem] = {}
    for mention in parsed.mentions:
        if mention.label not in (RX, DRUG) or not _in_pool(mention, parsed):
            continue
        if mention.negated or mention.hypothetical or mention.historical or mention.family:
            continue
        code = drug_therapy_code(mention.key, mention.sentence_words, everything)
        if code and code not in codes:
            found.setdefault(code, CodedProblem(code, "status", code[:3], True, False, None, (mention,)))
    return list(found.values())


def _symptoms_asked_for(problems: list[CodedProblem], note: str, release: CodeRelease) -> list[CodedProblem]:
    """Symptoms a coded diagnosis's "use additional code" note asks for, when the note names them."""
    wanted = {code for p in problems for code in additional_symptom_codes(p.code)}
    if not wanted:
        return []
    words = note_words(note)
    chunks: dict[int, list[str]] = {}
    for word in words:
        chunks.setdefault(word.chunk, []).append(word.text)
    terms = tabular_terms()
    found = []
    for code in sorted(wanted):
        for chunk in chunks.values():
            present = frozenset(with_expansions(chunk))
            if release.billable(code) and any(satisfied(a, present) for a in terms.by_code.get(code, ())):
                found.append(CodedProblem(code, "symptom", code[:3], True, False, None, ()))
                break
    return found


_ASSIGNED: OrderedDict[tuple[int, int, str], tuple[ParsedNote, list[CodedProblem], list[SkippedMention]]] = \
    OrderedDict()
_ASSIGNED_LOCK = threading.Lock()


def assign_codes(parsed: ParsedNote, release: CodeRelease,
                 note: str = "") -> tuple[list[CodedProblem], list[SkippedMention]]:
    """The codes a parsed note supports in the release, and every diagnosis mention skipped for its context.
    The last few are kept: the E/M level asks again for the problems reading just found."""
    key = (id(parsed), id(release), note)
    with _ASSIGNED_LOCK:
        kept = _ASSIGNED.get(key)
    if kept is not None and kept[0] is parsed:
        return list(kept[1]), list(kept[2])
    problems, skipped = _assign_codes(parsed, release, note)
    with _ASSIGNED_LOCK:
        _ASSIGNED[key] = (parsed, problems, skipped)
        while len(_ASSIGNED) > 256:
            _ASSIGNED.popitem(last=False)
    return list(problems), list(skipped)


def _assign_codes(parsed: ParsedNote, release: CodeRelease,
                  note: str) -> tuple[list[CodedProblem], list[SkippedMention]]:
    lex = lexicon()
    skipped = []
    for mention in parsed.of(DX):
        for concept in concept_of(mention, release)[:1]:
            reason = skip_reason(mention, concept)
            if reason:
                skipped.append(SkippedMention(EvidenceSpan(mention.start, mention.end), reason))
    problems = [p for mention in parsed.of(DX) if _in_pool(mention, parsed)
                for p in _problems_of(mention, release, lex)]
    problems += _history_and_status_elsewhere(parsed, release, lex)
    problems = _merge(_combine(_merge(problems), lex))
    asked = _symptoms_asked_for(problems, note, release) if note else []
    confirmed = {p.code for p in problems if p.kind not in ("symptom", "status", "family_history")}
    asked_codes = {p.code for p in asked}
    problems = [p for p in problems if p.code in asked_codes or not integral_to(p.code, confirmed)]
    problems += [p for p in asked if p.code not in {q.code for q in problems}]
    problems += _drug_therapy(parsed, {p.code for p in problems})
    codes = drop_diabetes_drug_codes({p.code for p in problems})
    problems = [p for p in problems if p.code in codes]
    problems = [replace(p, code=routine_exam_code(p.code, codes)) for p in problems]
    return (_note_level_codes(note, problems, release) if note else problems), skipped


def _note_level_codes(note: str, problems: list[CodedProblem], release: CodeRelease) -> list[CodedProblem]:
    """BMI, weeks of gestation, and a normal pregnancy's first or other, read from the whole note."""
    codes = {p.code for p in problems}
    bmi = bmi_code(note, codes, release)
    if bmi and bmi not in codes:
        problems = [*problems, CodedProblem(bmi, "status", "Z68", True, False, None, ())]
        codes.add(bmi)
    for code in sorted(pregnancy_complications(note, codes, release) - codes):
        problems = [*problems, CodedProblem(code, "chronic", code[:3], True, False, None, ())]
        codes.add(code)
    final = pregnancy_codes(note, codes, release)
    replaced = [p for p in problems if p.code not in final]
    kept = [p for p in problems if p.code in final]
    for code in sorted(final - codes):
        source = next((p for p in replaced if p.code[:3] == code[:3]), None)
        kind = source.kind if source else "status"
        kept.append(CodedProblem(code, kind, code[:3], True, False, None, source.mentions if source else ()))
    return kept
