"""One medspaCy pipeline reads every note: sentences (a rule splitter), management facts (medspaCy's target
matcher), diagnoses (the lexicon and the tabular list, dx_matcher.py), ConText (negation, history, hypotheticals,
family, uncertainty and our own E/M modifiers) and sections.

Sentences are split by rule (a line break, or . ? ! ; before a space): PyRuSH, the statistical-rule splitter
medspaCy ships, took 13 of the 15 ms a note cost. The pipeline is built once per process on first use and shared;
`parse_notes` runs it over a batch with `nlp.pipe`.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import warnings
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
from services.coding.domain.documentation.note_sections import SECTION_HEADERS, assessment_regions
from services.coding.domain.documentation.note_words import Word, note_words

HERE = Path(__file__).parent
DX = "DX"
RX = "RX"
DRUG = "DRUG"  # a drug named for long-term drug therapy only (prescription risk for E/M reads RX)
SENTENCE_ENDS = frozenset({".", "?", "!", ";"})
# Items listed under these sections are context, not current problems.
SECTION_ATTRIBUTES = {"past_medical_history": {"is_historical": True}, "family_history": {"is_family": True}}
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


def _section_rules() -> list[Any]:
    from medspacy.section_detection import SectionRule

    return [SectionRule(header, category) for category, headers in SECTION_HEADERS.items() for header in headers]


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
    nlp.get_pipe("medspacy_context").add(_context_rules())
    sectionizer = nlp.add_pipe("medspacy_sectionizer", config={"rules": None, "require_start_line": True,
                                                               "span_attrs": SECTION_ATTRIBUTES})
    sectionizer.add(_section_rules())
    lexicon_phrases()
    return nlp


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

    def of(self, label: str) -> tuple[Mention, ...]:
        return tuple(m for m in self.mentions if m.label == label)


def _windows(words: Sequence[Word], matches: list[DxMatch]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per diagnosis: words from the previous diagnosis to the next one inside the sentence (at most 6 back and 8
    ahead), and the sentence's words."""
    windows = []
    for index, match in enumerate(matches):
        sentence = words[match.first_word].sentence
        start, end = max(0, match.first_word - 6), min(len(words), match.last_word + 9)
        if index > 0:
            start = max(start, matches[index - 1].last_word + 1)
        if index + 1 < len(matches):
            end = min(end, matches[index + 1].first_word)
        window = tuple(w.text for w in words[start:end] if w.sentence == sentence)
        windows.append((window, tuple(w.text for w in words if w.sentence == sentence)))
    return windows


def _parsed(doc: Any) -> ParsedNote:
    ents = list(doc.ents)
    by_token: dict[tuple[int, int], DxMatch] = doc.user_data.get(_MATCHES, {})
    words: list[Word] = doc.user_data.get(_WORDS, [])
    dx_matches = [by_token[(e.start, e.end)] for e in ents if e.label_ == DX and (e.start, e.end) in by_token]
    windows = dict(zip(((m.start, m.end) for m in dx_matches), _windows(words, dx_matches), strict=True))
    mentions = []
    for ent in ents:
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
        mentions.append(Mention(
            label=ent.label_, key=key, start=ent.start_char, end=ent.end_char, section=ent._.section_category,
            negated=ent._.is_negated, historical=ent._.is_historical, hypothetical=ent._.is_hypothetical,
            family=ent._.is_family, uncertain=ent._.is_uncertain,
            modifiers=frozenset(modifier.category for modifier in ent._.modifiers),
            sentence=(ent.sent.start_char, ent.sent.end_char), window=window, sentence_words=sentence_words,
            number=number, codes=match.codes if match else (), text=ent.text if match else ""))
    sections = {section.category for section in doc._.sections}
    return ParsedNote(tuple(mentions), "assessment_plan" in sections, tuple(w.text for w in words))


def _sentence_words(words: Sequence[Word], start: int) -> tuple[str, ...]:
    """The folded words of the sentence holding the character offset start."""
    at = next((w.sentence for w in words if w.end > start), None)
    return tuple(w.text for w in words if w.sentence == at) if at is not None else ()


def parse_notes(notes: Sequence[tuple[str, CodeRelease]]) -> list[ParsedNote]:
    """Run the pipeline over a batch of notes (nlp.pipe), each coded against its release."""
    nlp = clinical_pipeline()
    docs = []
    for text, release in notes:
        doc = nlp.make_doc(text)
        doc.user_data[_RELEASE] = release
        docs.append(doc)
    return [_parsed(doc) for doc in nlp.pipe(docs)]


@functools.lru_cache(maxsize=256)
def parse_note(note: str, release: CodeRelease | None = None) -> ParsedNote:
    """One note (the last results are kept: coding reads a note for its codes and again for its E/M level)."""
    return parse_notes([(note, release or code_releases()[-1])])[0]
