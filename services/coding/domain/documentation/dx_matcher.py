"""Find the diagnoses a note names: the hand-made lexicon's phrases first, then the whole ICD-10-CM tabular list.

Two dictionaries, one pass over the note's folded words:
- the lexicon (concepts.json): clinicians' phrases, synonyms and abbreviations ("HTN", "AF", "CKD 3b"), matched
  as exact word sequences anywhere in the note, with the codes chosen by qualifiers near the mention;
- the tabular list (tabular_terms.py): every billable code's title and inclusion terms, matched as word sets
  within a phrase of the assessment (or of the whole note when it has no assessment), so the reach is the code set.
Where the two overlap the longer span wins, the lexicon on a tie: a specific title ("acute suppurative otitis media
of the right ear") beats the lexicon's "otitis media", the lexicon's "type 2 diabetes with hyperglycemia" beats
the title's "hyperglycemia".
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from services.coding.domain.documentation.code_releases import CodeRelease
from services.coding.domain.documentation.note_words import Word, phrase_words
from services.coding.domain.documentation.tabular_terms import Alias, satisfied, tabular_terms, with_expansions

TABULAR = "tabular"


@dataclass(frozen=True)
class DxMatch:
    """A diagnosis named in the note: its characters, the lexicon concept or the tabular codes, and its words."""

    start: int
    end: int
    key: str  # a lexicon concept id, or TABULAR
    codes: tuple[str, ...]  # TABULAR: the code(s) the tabular list chose for the release
    first_word: int
    last_word: int  # inclusive indexes into the note's words


@dataclass(frozen=True)
class PhraseIndex:
    """Lexicon phrases as folded word sequences, and the lengths of the phrases each first word starts."""

    phrases: dict[tuple[str, ...], str]
    lengths: dict[str, tuple[int, ...]]  # longest first


def build_phrase_index(phrases_by_concept: dict[str, Sequence[str]]) -> PhraseIndex:
    """Every phrase of every concept, folded; a phrase two concepts share goes to the first."""
    phrases: dict[tuple[str, ...], str] = {}
    for concept, variants in phrases_by_concept.items():
        for variant in variants:
            words = phrase_words(variant)
            if words:
                phrases.setdefault(words, concept)
    lengths: dict[str, set[int]] = {}
    for words in phrases:
        lengths.setdefault(words[0], set()).add(len(words))
    return PhraseIndex(phrases, {word: tuple(sorted(sizes, reverse=True)) for word, sizes in lengths.items()})


def lexicon_matches(words: Sequence[Word], index: PhraseIndex) -> list[DxMatch]:
    """The longest lexicon phrase starting at each word, inside one sentence."""
    found = []
    count = len(words)
    for first in range(count):
        sentence = words[first].sentence
        for size in index.lengths.get(words[first].text, ()):
            last = first + size - 1
            if last >= count or words[last].sentence != sentence:
                continue
            concept = index.phrases.get(tuple(w.text for w in words[first:last + 1]))
            if concept is not None:
                found.append(DxMatch(words[first].start, words[last].end, concept, (), first, last))
                break
    return found


@functools.lru_cache(maxsize=8192)
def _named(phrase: tuple[str, ...], release: CodeRelease) -> tuple[tuple[Alias, ...], ...]:
    return tuple(tuple(group) for group in tabular_terms().named(phrase, release))


@functools.lru_cache(maxsize=8192)
def _chosen(group: tuple[Alias, ...], sentence: frozenset[str], release: CodeRelease) -> tuple[str, ...]:
    return tuple(tabular_terms().choose(list(group), sentence, release))


def tabular_matches(words: Sequence[Word], regions: Sequence[tuple[int, int]], release: CodeRelease,
                    extra_sentence_words: tuple[str, ...] = ()) -> list[DxMatch]:
    """What each phrase inside the regions names in the tabular list, coded with its sentence's words (and any
    words the whole note implies, such as the trimester its weeks of gestation give)."""
    found = []
    by_sentence: dict[int, list[str]] = {}
    for word in words:
        by_sentence.setdefault(word.sentence, []).append(word.text)
    sentences = {number: frozenset(with_expansions([*texts, *extra_sentence_words]))
                 for number, texts in by_sentence.items()}
    consumed: dict[int, set[str]] = {}  # words a chosen code already read, per sentence
    terms = tabular_terms()
    chunks = _chunks(words, regions)
    for number, chunk in enumerate(chunks):
        sentence_number = words[chunk[0]].sentence
        sentence = sentences[sentence_number]
        read = consumed.setdefault(sentence_number, set())
        phrases = [(chunk, None)]
        previous = chunks[number - 1] if number else None
        if previous and words[previous[0]].sentence == sentence_number and previous[-1] + 1 == chunk[0]:
            phrases.append((previous + chunk, set(previous)))  # "hand, foot and mouth disease" has a comma in it
        for phrase, must_span in phrases:
            if must_span is not None and any(m.first_word in phrase or m.last_word in phrase for m in found):
                continue  # either phrase named something on its own: the comma separates two things
            texts = tuple(words[i].text for i in phrase)
            expanded = with_expansions(texts)
            for group in _named(texts, release):
                used = {expanded[w] for alias in group[:1] for g in alias.required for w in g.split("|")
                        if w in expanded}
                positions = [i for i in phrase if words[i].text in used]
                if not positions or used <= read:
                    continue  # "current episode manic" was read by "bipolar I disorder, current episode manic"
                if must_span is not None and (not set(positions) & must_span or set(positions) <= must_span):
                    continue
                codes = _chosen(group, sentence, release)
                if not codes:
                    continue
                read.update(w for code in codes for a in terms.by_code.get(code, ()) if satisfied(a, sentence)
                            for g in a.required for w in g.split("|") if w in sentence)
                found.append(DxMatch(words[positions[0]].start, words[positions[-1]].end, TABULAR, codes,
                                     positions[0], positions[-1]))
    return found


def _chunks(words: Sequence[Word], regions: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Word indexes of each phrase (chunk) that starts inside the regions."""
    chunks: list[list[int]] = []
    for index, word in enumerate(words):
        if chunks and words[chunks[-1][-1]].chunk == word.chunk:
            chunks[-1].append(index)
        else:
            chunks.append([index])
    return [c for c in chunks if any(start <= words[c[0]].start < end for start, end in regions)]


def resolve_overlaps(lexicon: list[DxMatch], tabular: list[DxMatch]) -> list[DxMatch]:
    """Non-overlapping matches: the longer span wins, the lexicon on a tie, in note order. A lexicon match that
    wins a tie carries the tabular codes as `codes`: the lexicon names the concept, and where its own code is only
    the concept's default the tabular list's (more specific) code of the same category may replace it."""
    ranked = sorted([(m.end - m.start, 1, m) for m in lexicon] + [(m.end - m.start, 0, m) for m in tabular],
                    key=lambda item: (-item[0], -item[1], item[2].start))
    kept: list[DxMatch] = []
    for _, _, match in ranked:
        if all(match.end <= other.start or match.start >= other.end for other in kept):
            kept.append(match)
        elif match.key == TABULAR:
            tie = next((i for i, other in enumerate(kept) if (other.start, other.end) == (match.start, match.end)
                        and other.key != TABULAR), None)
            if tie is not None:
                kept[tie] = replace(kept[tie], codes=match.codes)
    return sorted(kept, key=lambda m: m.start)
