"""One medspaCy pipeline reads every note: sentences (PyRuSH), targets (diagnoses and management facts),
ConText (negation, history, hypotheticals, family, uncertainty and our own E/M modifiers) and sections.

Loading takes a second or two, so the pipeline is built once per process on first use and shared.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import loguru

HERE = Path(__file__).parent
DX = "DX"

# Section headers we recognise at the start of a line (matched case-insensitively).
SECTION_HEADERS: dict[str, tuple[str, ...]] = {
    "assessment_plan": ("assessment and plan:", "assessment/plan:", "assessment & plan:", "a/p:", "assessment:",
                        "plan:", "impression:", "impression and plan:", "impression/plan:"),
    "history_of_present_illness": ("hpi:", "history of present illness:", "interval history:"),
    "chief_complaint": ("chief complaint:", "cc:", "reason for visit:"),
    "past_medical_history": ("pmh:", "past medical history:", "past history:", "past surgical history:"),
    "family_history": ("family history:", "fh:"),
    "social_history": ("social history:", "sh:"),
    "medications": ("medications:", "current medications:", "meds:"),
    "allergies": ("allergies:",),
    "review_of_systems": ("ros:", "review of systems:"),
    "physical_exam": ("exam:", "physical exam:", "pe:", "examination:"),
    "data": ("data:", "labs:", "results:", "imaging:", "studies:"),
}
# Items listed under these sections are context, not current problems.
SECTION_ATTRIBUTES = {"past_medical_history": {"is_historical": True}, "family_history": {"is_family": True}}


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


def _target_rules() -> list[Any]:
    from medspacy.ner import TargetRule

    rules = []
    for concept in concept_lexicon()["concepts"]:
        for phrase in concept["phrases"]:
            for variant in expand_phrase(phrase):
                rules.append(TargetRule(variant, DX, metadata={"key": concept["id"]}))
    for label, keys in management_terms()["targets"].items():
        for key, phrases in keys.items():
            for phrase in phrases:
                if isinstance(phrase, list):
                    rules.append(TargetRule(f"{label}:{key}", label, pattern=phrase, metadata={"key": key}))
                else:
                    rules.append(TargetRule(phrase, label, metadata={"key": key}))
    return rules


def _context_rules() -> list[Any]:
    from medspacy.context import ConTextRule

    return [ConTextRule(rule["literal"], rule["category"], direction=rule.get("direction", "BIDIRECTIONAL"),
                        allowed_types=set(rule["allowed"])) for rule in management_terms()["context"]]


def _section_rules() -> list[Any]:
    from medspacy.section_detection import SectionRule

    return [SectionRule(header, category) for category, headers in SECTION_HEADERS.items() for header in headers]


@functools.cache
def clinical_pipeline() -> Any:
    """The shared medspaCy pipeline (built on first call)."""
    # PyRuSH logs every sentence and token through loguru at DEBUG: that would put note text (PHI) in logs.
    loguru.logger.disable("PyRuSH")
    # medspaCy keeps an empty token matcher beside the phrase matcher; spaCy warns on every note about it.
    warnings.filterwarnings("ignore", message=r"\[W036\]")
    import medspacy

    nlp = medspacy.load(medspacy_enable=["medspacy_pyrush", "medspacy_target_matcher", "medspacy_context"])
    nlp.get_pipe("medspacy_target_matcher").add(_target_rules())
    nlp.get_pipe("medspacy_context").add(_context_rules())
    sectionizer = nlp.add_pipe("medspacy_sectionizer", config={"rules": None, "require_start_line": True,
                                                               "span_attrs": SECTION_ATTRIBUTES})
    sectionizer.add(_section_rules())
    return nlp


@dataclass(frozen=True)
class Mention:
    """One thing the note names: a diagnosis or a management fact, with its context."""

    label: str
    key: str
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
    window: tuple[str, ...]  # lower-cased words around a diagnosis, for qualifiers (laterality, severity, type)
    sentence_words: tuple[str, ...]  # lower-cased words of the sentence, for a diagnosis
    number: int | None = None  # minutes, for TOTAL_TIME


@dataclass(frozen=True)
class ParsedNote:
    mentions: tuple[Mention, ...]
    has_assessment: bool

    def of(self, label: str) -> tuple[Mention, ...]:
        return tuple(m for m in self.mentions if m.label == label)


def _window(doc: Any, ents: list[Any], index: int) -> tuple[str, ...]:
    """Words from the previous diagnosis to the next one, inside the sentence, at most 6 back and 8 ahead."""
    ent = ents[index]
    sent = ent.sent
    start = max(sent.start, ent.start - 6)
    end = min(sent.end, ent.end + 8)
    for other in ents[:index]:
        if other.label_ == DX and other.end <= ent.start:
            start = max(start, other.end)
    for other in ents[index + 1:]:
        if other.label_ == DX and other.start >= ent.end:
            end = min(end, other.start)
            break
    return tuple(token.lower_ for token in doc[start:end])


@functools.lru_cache(maxsize=8)
def parse_note(note: str) -> ParsedNote:
    """Run the pipeline over a note (the last few results are kept: coding reads a note twice)."""
    doc = clinical_pipeline()(note)
    ents = list(doc.ents)
    mentions = []
    for index, ent in enumerate(ents):
        rule = ent._.target_rule
        number = None
        if ent.label_ == "TOTAL_TIME":
            digits = [token.text for token in ent if token.is_digit]
            number = int(digits[-1]) if digits else None
        mentions.append(Mention(
            label=ent.label_, key=(rule.metadata or {}).get("key", "") if rule else "",
            start=ent.start_char, end=ent.end_char, section=ent._.section_category,
            negated=ent._.is_negated, historical=ent._.is_historical, hypothetical=ent._.is_hypothetical,
            family=ent._.is_family, uncertain=ent._.is_uncertain,
            modifiers=frozenset(modifier.category for modifier in ent._.modifiers),
            sentence=(ent.sent.start_char, ent.sent.end_char),
            window=_window(doc, ents, index) if ent.label_ == DX else (),
            sentence_words=tuple(token.lower_ for token in ent.sent) if ent.label_ == DX else (), number=number))
    sections = {section.category for section in doc._.sections}
    return ParsedNote(tuple(mentions), "assessment_plan" in sections)
