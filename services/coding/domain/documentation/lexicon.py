"""The diagnosis lexicon as typed objects: concepts, their code variants, qualifiers and combination rules."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from services.coding.domain.documentation.pipeline import concept_lexicon


@dataclass(frozen=True)
class CodeVariant:
    code: str
    when: tuple[str, ...]  # qualifier names that must all occur near the mention
    unspecified: bool
    status: str | None  # "exacerbation" when the code itself says so (J44.1, I50.23)


@dataclass(frozen=True)
class Concept:
    id: str
    kind: str  # chronic, acute, acute_systemic, injury, injury_complicated, threat, symptom, self_limited, status
    family: str  # codes of one family are alternatives: an unspecified one gives way to a specific one
    variants: tuple[CodeVariant, ...]
    episode: bool  # injury codes take a 7th character for the encounter
    keeps_history: bool  # status/history codes (Z87.891, Z95.5) are coded although the text is historical


@dataclass(frozen=True)
class Combination:
    if_all: tuple[str, ...]  # code prefixes that must all be present
    remove: tuple[str, ...]
    add: str


@dataclass(frozen=True)
class Lexicon:
    concepts: dict[str, Concept]
    qualifiers: dict[str, tuple[tuple[str, ...], ...]]  # name -> word sequences
    episode_markers: dict[str, tuple[tuple[str, ...], ...]]  # 7th character -> word sequences
    combinations: tuple[Combination, ...]


def _words(phrases: list[str]) -> tuple[tuple[str, ...], ...]:
    # Hyphens are split off as tokens by the tokenizer, so split them here too.
    return tuple(tuple(phrase.lower().replace("-", " - ").split()) for phrase in phrases)


@functools.cache
def lexicon() -> Lexicon:
    """The lexicon from concepts.json."""
    data = concept_lexicon()
    concepts = {}
    for item in data["concepts"]:
        variants = tuple(CodeVariant(v["code"], tuple(v.get("when", ())), bool(v.get("unspecified")), v.get("status"))
                         for v in item["codes"])
        concepts[item["id"]] = Concept(item["id"], item["kind"], item.get("family", variants[-1].code[:3]), variants,
                                       bool(item.get("episode")), bool(item.get("keeps_history")))
    return Lexicon(
        concepts=concepts,
        qualifiers={name: _words(phrases) for name, phrases in data["qualifiers"].items()},
        episode_markers={char: _words(phrases) for char, phrases in data["episode_markers"].items()},
        combinations=tuple(Combination(tuple(c["if_all"]), tuple(c["remove"]), c["add"]) for c in data["combinations"]),
    )


def contains(words: tuple[str, ...], sequence: tuple[str, ...]) -> bool:
    """Whether the word sequence occurs in words."""
    size = len(sequence)
    return any(words[i:i + size] == sequence for i in range(len(words) - size + 1))
