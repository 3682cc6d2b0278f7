"""The diagnosis lexicon as typed objects: concepts, their code variants, qualifiers and combination rules.

A diagnosis the tabular list found (not the lexicon) becomes a concept too, with a kind read from its code, so
the rest of the reader treats both the same way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from services.coding.domain.documentation.note_words import phrase_words
from services.coding.domain.documentation.pipeline import concept_lexicon

STATUS_PREFIXES = ("Z79", "Z9", "Z68", "Z3A", "Z33", "Z34", "Z00", "Z01", "Z1", "Z2", "Z30", "Z51", "I25.2")
ACUTE_PREFIXES = ("A", "B", "J0", "J1", "J20", "J21", "J22", "H65", "H66", "H60", "H10", "N30", "N39.0", "L0", "N76",
                  "K35", "K52", "T", "L23", "L24", "L25")


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
    keeps_family: bool = False  # family-history codes (Z80-Z84) are coded although the text is about a relative


@dataclass(frozen=True)
class Combination:
    if_all: tuple[str, ...]  # code prefixes that must all be present
    remove: tuple[str, ...]
    add: str


@dataclass(frozen=True)
class Lexicon:
    concepts: dict[str, Concept]
    qualifiers: dict[str, tuple[tuple[str, ...], ...]]  # name -> folded word sequences
    episode_markers: dict[str, tuple[tuple[str, ...], ...]]  # 7th character -> folded word sequences
    combinations: tuple[Combination, ...]
    successors: dict[str, str]  # a lexicon code a later release split -> the code to choose under


def _words(phrases: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(words for phrase in phrases if (words := phrase_words(phrase)))


@functools.cache
def lexicon() -> Lexicon:
    """The lexicon from concepts.json."""
    data = concept_lexicon()
    concepts = {}
    for item in data["concepts"]:
        variants = tuple(CodeVariant(v["code"], tuple(v.get("when", ())), bool(v.get("unspecified")), v.get("status"))
                         for v in item["codes"])
        concepts[item["id"]] = Concept(item["id"], item["kind"], item.get("family", variants[-1].code[:3]), variants,
                                       bool(item.get("episode")), bool(item.get("keeps_history")),
                                       bool(item.get("keeps_family")))
    return Lexicon(
        concepts=concepts,
        qualifiers={name: _words(phrases) for name, phrases in data["qualifiers"].items()},
        episode_markers={char: _words(phrases) for char, phrases in data["episode_markers"].items()},
        combinations=tuple(Combination(tuple(c["if_all"]), tuple(c["remove"]), c["add"]) for c in data["combinations"]),
        successors=dict(data.get("successors", {})),
    )


def kind_of(code: str, description: str) -> str:
    """The E/M problem kind of a code the tabular list found, read from its chapter and title."""
    if code.startswith(("Z80", "Z81", "Z82", "Z83", "Z84")):
        return "family_history"
    if code.startswith(("Z85", "Z86", "Z87")) or code.startswith(STATUS_PREFIXES):
        return "status"
    if code.startswith("R"):
        return "symptom"
    if code.startswith("S"):
        return "injury"
    if code.startswith(ACUTE_PREFIXES) or "acute" in description.lower():
        return "acute"
    return "chronic"


@functools.lru_cache(maxsize=4096)
def tabular_concept(code: str, description: str) -> Concept:
    """A tabular-list code as a concept: its own family, coded even when historical if it is a status code."""
    kind = kind_of(code, description)
    unspecified = "unspecified" in description.lower()
    return Concept(f"tabular:{code}", kind, code[:3], (CodeVariant(code, (), unspecified, None),), False,
                   kind in ("status", "family_history"), kind == "family_history")


def contains(words: tuple[str, ...], sequence: tuple[str, ...]) -> bool:
    """Whether the word sequence occurs in words."""
    size = len(sequence)
    return any(words[i:i + size] == sequence for i in range(len(words) - size + 1))
