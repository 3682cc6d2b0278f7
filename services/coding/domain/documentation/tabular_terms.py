"""Every ICD-10-CM code's title and inclusion terms as word sets, and the rules that pick the billable code.

The tabular list is the dictionary: a phrase of a note (the words between two commas, or other phrase breaks)
names a code when it holds every required word of one of the code's titles or inclusion terms, in any order
("pain in the small joints of the right hand" holds "pain", "joint", "right", "hand" of M25.541). A title's
required words are its words less the function words, "unspecified" (with the site it leaves open),
non-essential parenthesised words, and what follows "without" or "not": those state the default, so they are not
required, but the code is refused when the sentence says the opposite ("intractable" refuses "not intractable").
"bronchus or lung" is satisfied by either word.

The phrase names a family (the codes at and under its most specific matches: H66.0 "acute suppurative otitis
media" names H66.001-H66.019); the billable code is then chosen among them by the words of the whole sentence
(laterality, with and without, stage): the candidate that says the most of what is written wins, and among equals
the default one ("unspecified", "NOS", fewest defaults), the way the Alphabetic Index's nonessential modifiers work.
A bilateral condition with only a right and a left code gets both (guideline I.B.13).
"""

from __future__ import annotations

import functools
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.coding.domain.documentation.code_releases import CodeRelease, code_releases
from services.coding.domain.documentation.note_words import phrase_words

NON_ESSENTIAL = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
ABBREVIATION = re.compile(r"^[A-Z][A-Z0-9-]{1,9}$")
# Words a title carries that a clinician does not write
OPTIONAL = frozenset({"mellitus", "gland", "nos", "specified", "classified", "elsewhere", "current", "longterm",
                      "encounter", "personal", "female", "uncomplicated",
                      # a fracture not said to be displaced or not is coded displaced (I.C.19.c.1)
                      "displaced"})
UNSPECIFIED_OF = frozenset({"part", "site", "type", "region", "side", "ear", "eye", "limb", "foot", "hand", "arm",
                            "leg",
                            "joint", "knee", "hip", "shoulder", "elbow", "wrist", "ankle", "finger", "toe", "lobe",
                            "trimester", "episode", "kidney", "lung", "bronchus", "breast", "upper", "lower", "organ",
                            "body", "bone", "thigh", "forearm", "cause", "agent", "organism", "severity", "degree"})
# A title whose required words are all of these names nothing on its own
GENERIC = frozenset({"pain", "disease", "disorder", "illness", "injury", "infection", "syndrome", "lesion", "mass",
                     "condition", "symptom", "problem", "finding", "abnormality", "abnormal", "deformity",
                     "complication", "other", "encounter", "history", "status", "use", "failure", "change", "effect",
                     "acute", "chronic", "right", "left", "bilateral", "multiple", "single", "type", "stage", "primary",
                     "secondary", "no", "result", "examination", "state", "person", "family", "or", "care", "male",
                     "female", "child", "adult", "level", "part", "site", "follow", "up", "visit", "test",
                     # an injury says nothing without its site
                     "sprain", "strain", "fracture", "dislocation", "subluxation", "contusion", "laceration", "wound",
                     "burn", "tear", "crush", "amputation", "abrasion", "bite", "puncture", "blister"})
EPISODE_WORDS = frozenset({"initial", "encounter", "closed"})
# External causes are coded from the history of an injury, not named in notes; personal and family history
# (Z80-Z87) come from the condition named with ConText's history and family modifiers (see conventions.py)
# Counseling, lifestyle, life-management and risk-factor codes (Z71-Z76, Z91) state why a visit happened or what
# a coder infers; a note's passing "diet counseling" or "stress test" does not make them.
SKIPPED_CHAPTERS = (*"VWXY", "Z80", "Z81", "Z82", "Z83", "Z84", "Z85", "Z86", "Z87", "Z71", "Z72", "Z73", "Z74",
                    "Z75", "Z76", "Z91")
MAX_CANDIDATES = 400
# What a word of a note also says, for matching titles: "carcinoma" is a "malignant neoplasm"
EXPANSIONS = {"carcinoma": ("malignant", "neoplasm"), "malignancy": ("malignant", "neoplasm"),
              "bilateral": ("right", "left"), "hx": ("history",), "fhx": ("family", "history")}


def with_expansions(words: Iterable[str]) -> dict[str, str]:
    """Each word a note wrote, and the words it also says, mapped to the written word."""
    found: dict[str, str] = {}
    for word in words:
        found.setdefault(word, word)
        for extra in EXPANSIONS.get(word, ()):
            found.setdefault(extra, word)
    return found


@dataclass(frozen=True, slots=True)
class Alias:
    """One way of naming a code: its required words, and its default (negated) words."""

    code: str
    required: tuple[str, ...]  # sorted; "bronchus|lung" is satisfied by either
    refused_by: tuple[str, ...]  # "without x"/"not x" in the title: the code is refused when x is written
    negated: tuple[str, ...]  # the same as a note writes them ("no_x", "not_x"): matching them says more
    title: bool  # the code's own title, not an inclusion term
    unspecified: bool  # "unspecified" or "NOS" is part of it


def _holds(group: str, words: frozenset[str]) -> bool:
    return group in words or ("|" in group and any(w in words for w in group.split("|")))


def _used_positions(alias: Alias, positions: dict[str, list[int]]) -> frozenset[int]:
    """The word positions an alias's required words take: for a repeated word, the one nearest the others."""
    chosen = []
    for group in alias.required:
        options = [i for part in group.split("|") for i in positions.get(part, ())]
        chosen.append(options)
    anchor = min(min(options) for options in chosen)
    return frozenset(min(options, key=lambda i: abs(i - anchor)) for options in chosen)


def satisfied(alias: Alias, words: frozenset[str]) -> bool:
    """Whether the words hold every required word and nothing the alias's defaults refuse."""
    return all(_holds(group, words) for group in alias.required) and not any(w in words for w in alias.refused_by)


def best_words(code: str, sentence: frozenset[str]) -> int:
    """How many required words the code's best alias the sentence holds has (0 when none is held)."""
    return max((len(a.required) for a in tabular_terms().by_code.get(code, ()) if satisfied(a, sentence)), default=0)


def score(alias: Alias, words: frozenset[str]) -> int:
    """How much of what is written the alias says: its required words and the negations it shares."""
    return len(alias.required) + sum(w in words for w in alias.negated)


@functools.lru_cache(maxsize=65536)
def _segment_words(segment: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(required, refused, negated) words of one comma-separated segment of a title; titles share many segments
    ("initial encounter for closed fracture", "right knee"), so each is read once."""
    words = list(phrase_words(segment))
    required: list[str] = []
    refused: list[str] = []
    negated: list[str] = []
    episode = segment.strip().lower().startswith("initial encounter")
    index = 0
    while index < len(words):
        word = words[index]
        if word == "unspecified":
            index += 2 if index + 1 < len(words) and words[index + 1] in UNSPECIFIED_OF else 1
        elif word.startswith(("no_", "not_")):
            base = word.split("_", 1)[1]
            if base not in OPTIONAL and base != "unspecified":
                refused.append(base)
                negated.append(word)
            index += 1
        elif word in OPTIONAL or (episode and word in EPISODE_WORDS):
            index += 1
        elif word == "or" and required and index + 1 < len(words):
            alternative = words[index + 1].split("_", 1)[-1]
            required[-1] = f"{required[-1]}|{alternative}"
            index += 2
        else:
            required.append(word)
            index += 1
    return tuple(required), tuple(refused), tuple(negated)


def _intern(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sys.intern(w) for w in sorted(set(words)))


def parse_title(code: str, text: str, title: bool) -> list[Alias]:
    """The aliases a title or inclusion term gives: itself less its non-essential words, and any abbreviation it
    carries in brackets ("(MASLD)", "[CPVT]") on its own."""
    abbreviations = [m.group(1) or m.group(2) for m in NON_ESSENTIAL.finditer(text)]
    required: list[str] = []
    refused: list[str] = []
    negated: list[str] = []
    plain = NON_ESSENTIAL.sub(" ", text)
    for segment in plain.split(","):
        seg_required, seg_refused, seg_negated = _segment_words(segment.strip())
        required.extend(seg_required)
        refused.extend(seg_refused)
        negated.extend(seg_negated)
    unspecified = "unspecified" in text.lower() or text.rstrip().endswith("NOS")
    aliases = []
    words = set(required)
    too_vague = code.startswith("Z") and len(words) < 2  # "Counseling", "Observation"
    if words and not too_vague and not all(part in GENERIC for group in words for part in group.split("|")):
        aliases.append(Alias(sys.intern(code), _intern(words), _intern(set(refused) - words), _intern(negated), title,
                             unspecified))
    content = [w for w in re.findall(r"[a-z]+", plain.lower()) if w not in ("of", "and", "or", "the", "with", "in")]
    initials = {word[0] for word in content}
    for abbreviation in abbreviations:
        # "(MASLD)" abbreviates its whole title; "[ECG]" in "Abnormal electrocardiogram [ECG]" and "[PT]" in a list
        # of clotting tests name only a part of theirs
        letters = re.sub(r"[^a-z]", "", abbreviation.lower()) if abbreviation else ""
        if abbreviation and ABBREVIATION.match(abbreviation.strip()) and set(letters) <= initials and \
                len(letters) >= len(content) - 1:
            aliases.append(Alias(sys.intern(code), (sys.intern(abbreviation.strip().lower()),), (), (), False, False))
    return aliases


class TabularTerms:
    """Aliases of every code of every release, indexed by their rarest required word."""

    def __init__(self, aliases: Iterable[Alias]):
        unique = {(a.code, a.required, a.refused_by): a for a in aliases}
        single = Counter(a.required for a in unique.values() if len(a.required) == 1 and not a.title)
        # an abbreviation two codes share ("[BMI]") names neither
        self.aliases = [a for a in unique.values() if a.title or len(a.required) > 1 or single[a.required] == 1]
        frequency = Counter(part for a in self.aliases for group in a.required for part in group.split("|"))
        self.by_word: dict[str, list[Alias]] = {}
        self.by_code: dict[str, list[Alias]] = {}
        for alias in self.aliases:
            rarest = min(alias.required, key=lambda g: sum(frequency[part] for part in g.split("|")))
            for part in rarest.split("|"):
                self.by_word.setdefault(part, []).append(alias)
            self.by_code.setdefault(alias.code, []).append(alias)

    def named(self, words: Sequence[str], release: CodeRelease) -> list[list[Alias]]:
        """What a phrase (its words in order) names in this release: groups of aliases, one group per thing named.
        Each word also says its expansions ("carcinoma" is a "malignant neoplasm"). An alias must be compact
        (its words close together: "type 2 ... stage" does not make "stage 2"); one another alias explains with
        more words is dropped. The most telling alias takes its words; the aliases sharing them name the same thing
        and are its group; the rest name other things."""
        positions: dict[str, list[int]] = {}
        for index, word in enumerate(words):
            positions.setdefault(word, []).append(index)
            for extra in EXPANSIONS.get(word, ()):
                positions.setdefault(extra, []).append(index)
        present = frozenset(positions)
        found: dict[tuple[str, tuple[str, ...]], tuple[Alias, frozenset[int]]] = {}
        for word in positions:
            for alias in self.by_word.get(word, ()):
                if (alias.code, alias.required) in found or not satisfied(alias, present) or \
                        not valid_in(alias, release):
                    continue
                used = _used_positions(alias, positions)
                if max(used) - min(used) + 1 <= len(alias.required) + 1:
                    found[(alias.code, alias.required)] = (alias, used)
        kept = [(a, used) for a, used in found.values()
                if not any(used < other for _, other in found.values())]
        kept.sort(key=lambda item: (-(len(item[0].required) + sum(w in present for w in item[0].negated)),
                                    max(item[1]) - min(item[1]), item[0].code))
        groups: list[list[Alias]] = []
        taken: set[int] = set()
        for _, used in kept:
            if used & taken:
                continue
            groups.append([a for a, other in kept if other & used and not (other - used) & taken])
            taken |= used
        return groups

    def choose(self, named: list[Alias], sentence: frozenset[str], release: CodeRelease) -> list[str]:
        """The billable code(s) the sentence supports among the codes the phrase named: one, two for a bilateral
        condition that has only a right and a left code, or none when nothing billable fits."""
        candidates: set[str] = set()
        for alias in sorted(named, key=lambda a: -len(a.required)):
            # a billable code named by part of the sentence competes with its siblings the whole sentence may fit
            # better ("major depressive disorder, single episode" names F32.9; "..., severe" makes it F32.2)
            entry = release.entry(alias.code)
            node = entry.parent if entry is not None and entry.billable and entry.parent else alias.code
            under = release.billable_under(node)
            if candidates and len(candidates) + len(under) > MAX_CANDIDATES:
                break
            candidates.update(under)
        ranked = sorted(((key, code) for code in candidates if (key := self._rank(code, sentence, release))),
                        reverse=True)
        top = ranked[0][1] if ranked else None
        if "bilateral" in sentence and not any("bilateral" in a.required for a in self.by_code.get(top or "", ())):
            return self._both_sides(candidates, sentence, release) or ([top] if top else [])
        return [top] if top else []

    def _rank(self, code: str, sentence: frozenset[str], release: CodeRelease) -> tuple[int, bool, int, int] | None:
        best = None
        for alias in self.by_code.get(code, ()):
            if valid_in(alias, release) and satisfied(alias, sentence):
                key = (score(alias, sentence), alias.unspecified, -len(alias.refused_by), -len(code))
                best = key if best is None or key > best else best
        return best

    def _both_sides(self, candidates: set[str], sentence: frozenset[str], release: CodeRelease) -> list[str]:
        sides = []
        for side in ("right", "left"):
            words = sentence | {side}
            ranked = sorted(((key, code) for code in candidates if (key := self._rank(code, words, release))
                             and any(side in a.required for a in self.by_code.get(code, ()))), reverse=True)
            if not ranked:
                return []
            sides.append(ranked[0][1])
        return sorted(sides)


def valid_in(alias: Alias, release: CodeRelease) -> bool:
    """The alias names a code of this release (an inclusion term of a code the release split is not trusted)."""
    return release.has(alias.code) and (alias.title or alias.code not in release.split)


def _release_aliases() -> Iterable[Alias]:
    seen = set()
    for release in code_releases():
        for code in release.codes():
            if code in seen or code.startswith(SKIPPED_CHAPTERS):
                continue
            seen.add(code)
            entry = release.entry(code)
            if entry is None:
                continue
            yield from parse_title(code, entry.description, True)
            for term in entry.inclusion_terms:
                yield from parse_title(code, term, False)


@functools.cache
def tabular_terms() -> TabularTerms:
    """The aliases of every release, built once per process."""
    return TabularTerms(_release_aliases())
