"""One medspaCy pipeline reads every note: sentences (a rule splitter), management facts (medspaCy's target
matcher), diagnoses (the lexicon and the tabular list, dx_matcher.py) and ConText (negation, history, hypotheticals,
family, uncertainty and our own E/M modifiers); sections come from note_sections.py's line-start headers.

Sentences are split by rule (a line break, or . ? ! ; before a space): PyRuSH, the statistical-rule splitter
medspaCy ships, took 13 of the 15 ms a note cost. ConText's default rules are spelled out as phrases where their
token patterns allow it, and sections are found by a regular expression instead of medspaCy's sectionizer: both
cost a note a fraction of what they did. The pipeline is built once per process on first use and shared;
`parse_notes` runs it over a batch with `nlp.pipe`.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.coding.domain.documentation.code_releases import CodeRelease, code_releases
from services.coding.domain.documentation.conventions import convention_data, trimester_words
from services.coding.domain.documentation.dx_matcher import (
    DxMatch,
    PhraseIndex,
    build_phrase_index,
    lexicon_matches,
    resolve_overlaps,
    tabular_matches,
)
from services.coding.domain.documentation.note_sections import ASSESSMENT, assessment_regions, sections
from services.coding.domain.documentation.note_words import Word, note_words

HERE = Path(__file__).parent
DX = "DX"
RX = "RX"
DRUG = "DRUG"  # a drug named for long-term drug therapy only (prescription risk for E/M reads RX)
SENTENCE_ENDS = frozenset({".", "?", "!", ";"})
# Items listed under these sections are context, not current problems.
HISTORY_SECTIONS = frozenset({"past_medical_history"})
FAMILY_SECTIONS = frozenset({"family_history"})
_RELEASE = "claimline_release"
_MATCHES = "claimline_dx_matches"
_WORDS = "claimline_words"


def expand_phrase(phrase: str) -> list[str]:
    """'osteoarthritis of {the |}knee{s|}' -> every spelled-out variant."""
    parts = re.split(r"(\{[^{}]*\})", phrase)
    options = [part[1:-1].split("|") if part.startswith("{") else [part] for part in parts]
    return [" ".join("".join(choice).split()) for choice in itertools.product(*options)]


@functools.cache
def concept_lexicon() -> dict[str, Any]:
    """The diagnosis lexicon (concepts.json), parsed once."""
    return json.loads((HERE / "concepts.json").read_text())


@functools.cache
def management_terms() -> dict[str, Any]:
    """The E/M management vocabulary (management_terms.json), parsed once."""
    return json.loads((HERE / "management_terms.json").read_text())


@functools.cache
def lexicon_phrases() -> PhraseIndex:
    """The lexicon's phrases, every {a|b} variant spelled out and folded."""
    return build_phrase_index({c["id"]: [v for p in c["phrases"] for v in expand_phrase(p)]
                               for c in concept_lexicon()["concepts"]})


def _target_rules() -> list[Any]:
    from medspacy.ner import TargetRule

    rules = []
    for label, keys in management_terms()["targets"].items():
        for key, phrases in keys.items():
            for phrase in phrases:
                if isinstance(phrase, list):
                    rules.append(TargetRule(f"{label}:{key}", label, pattern=phrase, metadata={"key": key}))
                else:  # a drug's key is the drug: long-term drug therapy (Z79) is read from it
                    rules.append(TargetRule(phrase, label, metadata={"key": phrase if label == RX else key}))
    prescribed = {phrase for phrase in management_terms()["targets"][RX]["drug"]}
    for drugs in convention_data()["drug_classes"].values():  # the rest of the Z79 classes' drugs, not E/M risk
        rules += [TargetRule(drug, DRUG, metadata={"key": drug}) for drug in drugs if drug not in prescribed]
    return rules


def _context_rules() -> list[Any]:
    from medspacy.context import ConTextRule

    return [ConTextRule(rule["literal"], rule["category"], direction=rule.get("direction", "BIDIRECTIONAL"),
                        allowed_types=set(rule["allowed"]), max_scope=rule.get("max_scope"))
            for rule in management_terms()["context"]]


def split_sentences(doc: Any) -> Any:
    """A sentence starts after a line break, or after . ? ! ; followed by a space."""
    for index, token in enumerate(doc):
        if index == 0:
            token.is_sent_start = True
            continue
        previous = doc[index - 1]
        token.is_sent_start = "\n" in previous.text or (previous.text in SENTENCE_ENDS and bool(previous.whitespace_
                                                                                               or token.is_space))
    return doc


def find_diagnoses(text: str, words: Sequence[Word], release: CodeRelease) -> list[DxMatch]:
    """The lexicon's phrases anywhere, the tabular list's titles in the assessment, overlaps resolved."""
    return resolve_overlaps(lexicon_matches(words, lexicon_phrases()),
                            tabular_matches(words, assessment_regions(text), release, trimester_words(text)))


def add_diagnoses(doc: Any) -> Any:
    """Diagnosis entities (label DX) for the release in doc.user_data; a management entity they overlap gives way."""
    release = doc.user_data.get(_RELEASE) or code_releases()[-1]
    words = note_words(doc.text)
    matches = find_diagnoses(doc.text, words, release)
    spans, by_token = [], {}
    management = list(doc.ents)
    for match in matches:
        span = doc.char_span(match.start, match.end, label=DX, alignment_mode="expand")
        if span is None or (spans and span.start < spans[-1].end):
            continue
        if any(e.start <= span.start and span.end <= e.end and len(e) > len(span) for e in management):
            continue  # "carpal tunnel release" is a procedure, not carpal tunnel syndrome
        spans.append(span)
        by_token[(span.start, span.end)] = match
    others = [e for e in management if all(e.end <= s.start or e.start >= s.end for s in spans)]
    doc.ents = sorted(spans + others, key=lambda span: span.start)
    doc.user_data[_MATCHES] = by_token
    doc.user_data[_WORDS] = words
    return doc


@functools.cache
def clinical_pipeline() -> Any:
    """The shared medspaCy pipeline (built on first call)."""
    # PyRuSH (no longer in the pipeline, but importable by medspaCy) logs every sentence through loguru at DEBUG:
    # that would put note text (PHI) in logs.
    import loguru

    loguru.logger.disable("PyRuSH")
    # medspaCy keeps an empty token matcher beside the phrase matcher; spaCy warns on every note about it.
    warnings.filterwarnings("ignore", message=r"\[W036\]")
    import medspacy
    from spacy.language import Language

    if "claimline_sentences" not in Language.factories:
        Language.component("claimline_sentences")(split_sentences)
        Language.component("claimline_diagnoses")(add_diagnoses)
    nlp = medspacy.load(medspacy_enable=["medspacy_target_matcher", "medspacy_context"])
    nlp.add_pipe("claimline_sentences", first=True)
    nlp.get_pipe("medspacy_target_matcher").add(_target_rules())
    nlp.add_pipe("claimline_diagnoses", after="medspacy_target_matcher")
    defaults = nlp.get_pipe("medspacy_context").rules
    nlp.remove_pipe("medspacy_context")
    context = nlp.add_pipe("medspacy_context", config={"rules": None})
    context.add(_as_phrases(defaults) + _context_rules())
    lexicon_phrases()
    return nlp


def _as_phrases(rules: list[Any]) -> list[Any]:
    """ConText's default rules with their token patterns spelled out as phrases where the pattern is only lower-case
    words, alternatives and optional words: a phrase matcher costs a fraction of a token matcher per note."""
    from medspacy.context import ConTextRule

    spelled = []
    for rule in rules:
        phrases = _spell(rule.pattern) if isinstance(rule.pattern, list) else None
        if phrases is None:
            spelled.append(rule)
            continue
        spelled += [ConTextRule(phrase, rule.category, direction=rule.direction, allowed_types=rule.allowed_types,
                                excluded_types=rule.excluded_types, max_scope=rule.max_scope,
                                max_targets=rule.max_targets, terminated_by=rule.terminated_by) for phrase in phrases]
    return spelled


def _spell(pattern: list[dict[str, Any]]) -> list[str] | None:
    options: list[list[str]] = []
    for token in pattern:
        if set(token) - {"LOWER", "OP"} or token.get("OP", "?") != "?":
            return None
        lower = token["LOWER"]
        words = [lower] if isinstance(lower, str) else lower.get("IN") if set(lower) == {"IN"} else None
        if words is None:
            return None
        options.append([*words, ""] if token.get("OP") == "?" else list(words))
    phrases = {" ".join(w for w in choice if w) for choice in itertools.product(*options)}
    return sorted(p for p in phrases if p) if len(phrases) <= 200 else None


@dataclass(frozen=True)
class Mention:
    """One thing the note names: a diagnosis or a management fact, with its context."""

    label: str
    key: str  # a lexicon concept, "tabular", a management key, or the drug for RX
    start: int
    end: int
    section: str | None
    negated: bool
    historical: bool
    hypothetical: bool
    family: bool
    uncertain: bool
    modifiers: frozenset[str]
    sentence: tuple[int, int]
    window: tuple[str, ...]  # folded words around a diagnosis, for qualifiers (laterality, severity, type)
    sentence_words: tuple[str, ...]  # folded words of the sentence, for a diagnosis
    number: int | None = None  # minutes, for TOTAL_TIME
    codes: tuple[str, ...] = ()  # the tabular list's code(s): a TABULAR diagnosis's, or a lexicon one's alternative
    text: str = ""  # the words as written (a diagnosis only; never logged)


@dataclass(frozen=True)
class ParsedNote:
    mentions: tuple[Mention, ...]
    has_assessment: bool
    words: tuple[str, ...] = ()  # every folded word of the note
    release: CodeRelease | None = None  # the release its diagnoses were chosen in

    def of(self, label: str) -> tuple[Mention, ...]:
        return tuple(m for m in self.mentions if m.label == label)


@functools.cache
def _status_concepts() -> frozenset[str]:
    return frozenset(c["id"] for c in concept_lexicon()["concepts"] if c["kind"] == "status")


def _windows(words: Sequence[Word], matches: list[DxMatch]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per diagnosis: words from the previous diagnosis to the next one inside the sentence (at most 6 back and 8
    ahead), and the sentence's words. A status between them ("type 1 diabetes on an insulin pump with hypoglycemia")
    does not end a window: it qualifies nothing."""
    windows = []
    bounds = [m for m in matches if m.key not in _status_concepts()]  # in note order, not overlapping
    bound_ends = [m.last_word for m in bounds]
    bound_starts = [m.first_word for m in bounds]
    for match in matches:
        sentence = words[match.first_word].sentence
        start, end = max(0, match.first_word - 6), min(len(words), match.last_word + 9)
        before = bisect.bisect_left(bound_ends, match.first_word)  # bounds[:before] end before this match
        after = bisect.bisect_right(bound_starts, match.last_word)  # bounds[after:] start after it
        if before:
            start = max(start, bound_ends[before - 1] + 1)
        if after < len(bounds):
            end = min(end, bound_starts[after])
        window = tuple(w.text for w in words[start:end] if w.sentence == sentence)
        windows.append((window, tuple(w.text for w in words if w.sentence == sentence)))
    return windows


def _parsed(doc: Any) -> ParsedNote:
    ents = list(doc.ents)
    by_token: dict[tuple[int, int], DxMatch] = doc.user_data.get(_MATCHES, {})
    words: list[Word] = doc.user_data.get(_WORDS, [])
    dx_matches = [by_token[(e.start, e.end)] for e in ents if e.label_ == DX and (e.start, e.end) in by_token]
    windows = dict(zip(((m.start, m.end) for m in dx_matches), _windows(words, dx_matches), strict=True))
    regions = sections(doc.text)
    mentions = []
    for ent in ents:
        section = next((category for category, start, end in regions if start <= ent.start_char < end), None)
        number = None
        if ent.label_ == "TOTAL_TIME":
            digits = [token.text for token in ent if token.is_digit]
            number = int(digits[-1]) if digits else None
        match = by_token.get((ent.start, ent.end)) if ent.label_ == DX else None
        if ent.label_ == DX and match is None:
            continue
        rule = ent._.target_rule
        key = (match.key if match else (rule.metadata or {}).get("key", "") if rule else "")
        window, sentence_words = windows.get((match.start, match.end), ((), ())) if match else \
            ((), _sentence_words(words, ent.start_char))
        categories = _outside_modifiers(ent)
        mentions.append(Mention(
            label=ent.label_, key=key, start=ent.start_char, end=ent.end_char, section=section,
            negated="NEGATED_EXISTENCE" in categories,
            historical="HISTORICAL" in categories or section in HISTORY_SECTIONS,
            hypothetical="HYPOTHETICAL" in categories, family="FAMILY" in categories or section in FAMILY_SECTIONS,
            uncertain="POSSIBLE_EXISTENCE" in categories,
            modifiers=categories,
            sentence=(ent.sent.start_char, ent.sent.end_char), window=window, sentence_words=sentence_words,
            number=number, codes=match.codes if match else (), text=ent.text if match else ""))
    return ParsedNote(tuple(mentions), any(category == ASSESSMENT for category, _, _ in regions),
                      tuple(w.text for w in words), doc.user_data.get(_RELEASE))


def _outside_modifiers(ent: Any) -> frozenset[str]:
    """The ConText categories modifying an entity, leaving out a modifier written inside it: "vaccine" makes
    "varicella vaccine" hypothetical chickenpox, but not the immunization "influenza vaccine given" itself."""
    return frozenset(modifier.category for modifier in ent._.modifiers
                     if not (ent.start <= modifier.modifier_span[0] and modifier.modifier_span[1] <= ent.end))


def _sentence_words(words: Sequence[Word], start: int) -> tuple[str, ...]:
    """The folded words of the sentence holding the character offset start."""
    at = next((w.sentence for w in words if w.end > start), None)
    return tuple(w.text for w in words if w.sentence == at) if at is not None else ()


def parse_notes(notes: Sequence[tuple[str, CodeRelease]]) -> list[ParsedNote]:
    """Run the pipeline over a batch of notes (nlp.pipe), each coded against its release. The results are kept
    a while: coding reads a note for its codes and again for its E/M level."""
    nlp = clinical_pipeline()
    docs = []
    for text, release in notes:
        doc = nlp.make_doc(text)
        doc.user_data[_RELEASE] = release
        docs.append(doc)
    parsed = [_parsed(doc) for doc in nlp.pipe(docs)]
    for (text, release), result in zip(notes, parsed, strict=True):
        _remember(text, release, result)
    return parsed


_RECENT: OrderedDict[str, dict[CodeRelease, ParsedNote]] = OrderedDict()
_RECENT_SIZE = 512
_RECENT_LOCK = threading.Lock()


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _remember(text: str, release: CodeRelease, parsed: ParsedNote) -> None:
    key = _digest(text)
    with _RECENT_LOCK:
        _RECENT.setdefault(key, {})[release] = parsed
        _RECENT.move_to_end(key)
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)


def parse_note(note: str, release: CodeRelease | None = None) -> ParsedNote:
    """One note, from the recent batch when it was read there; without a release, a parse under any release
    (the E/M level reads kinds of problems, which do not depend on the release)."""
    with _RECENT_LOCK:
        recent = _RECENT.get(_digest(note), {})
        found = recent.get(release) if release is not None else next(iter(recent.values()), None)
    if found is not None:
        return found
    return parse_notes([(note, release or code_releases()[-1])])[0]
