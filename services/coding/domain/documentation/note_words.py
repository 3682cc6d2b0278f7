"""Words as the reader compares them: one normaliser for notes, ICD-10-CM titles and the hand-made lexicon.

Lower case; hyphens joined ("non-displaced" = "nondisplaced", "gastro-esophageal" = "gastroesophageal");
possessives dropped ("Parkinson's" = "Parkinson"); plurals folded ("stones" = "stone", "keratoses" = "keratosis");
British spellings folded ("anaemia" = "anemia"); function words dropped. "not X" becomes one word "not_x", and
the words after "without" (to the end of the phrase) become "no_x": "migraine without aura" never contains the
word "aura", so it cannot match "migraine with aura".
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’\-][A-Za-z0-9]+)*")
# A sentence ends at a line break or at . ? ! ; followed by a space; a phrase (chunk) also ends at , : ( ) and
# list punctuation. Qualifiers are looked for in the sentence, diagnoses in the chunk.
SENTENCE_BREAK = re.compile(r"\n|[.?!;](?=\s|$)")
CHUNK_BREAK = re.compile(r"[,:()\[\]•#|]|(?<!\bw)(?<!\bW)/|\s[-–—]\s|\s[-–—](?=\S)|^[-–—]")
FUNCTION_WORDS = frozenset("a an the of in on at to for by from with and as is are was were has had have be been his "
                           "her their its this that these those".split())
BRITISH = (("anaem", "anem"), ("haem", "hem"), ("paediatr", "pediatr"), ("tumour", "tumor"),
           ("oedema", "edema"), ("diarrhoea", "diarrhea"), ("ischaem", "ischem"), ("leukaem", "leukem"),
           ("gynaecolog", "gynecolog"), ("oestrogen", "estrogen"), ("foetal", "fetal"), ("coeliac", "celiac"))
IRREGULAR = {"nevi": "nevus", "naevi": "nevus", "naevus": "nevus", "calculi": "calculus", "metastases": "metastasis",
             "feet": "foot", "teeth": "tooth", "women": "woman", "men": "man", "children": "child",
             "vertebrae": "vertebra",
             "diagnoses": "diagnosis", "phalanges": "phalanx", "bronchi": "bronchus", "polypi": "polyp",
             "ii": "2", "iii": "3", "iv": "4",
             # an organ's adjective is the organ: titles say "renal" and "kidney", "ovarian" and "ovary" alike
             "ovarian": "ovary", "renal": "kidney", "hepatic": "liver", "cardiac": "heart", "gastric": "stomach",
             "prostatic": "prostate", "pancreatic": "pancreas", "uterine": "uterus", "vaginal": "vagina",
             "colonic": "colon", "esophageal": "esophagus", "duodenal": "duodenum", "bronchial": "bronchus",
             "testicular": "testis", "testicle": "testis", "epididymal": "epididymis", "tonsillar": "tonsil",
             "cancer": "carcinoma", "tumor": "neoplasm", "neoplasia": "neoplasm", "both": "bilateral",
             "bilaterally": "bilateral"}
KEEP_FINAL_S = ("ss", "us", "is", "ous", "sis", "ys")
NEGATORS = frozenset({"without"})
NEGATION_ENDS = frozenset({"with", "and", "in", "but", "due"})
OESOPHAGUS = re.compile(r"(^|o)oesophag")


def fold(word: str) -> str:
    """One word as the reader compares it (memoised: a vocabulary is small, a note is many words)."""
    folded = _FOLDED.get(word)
    if folded is None:
        folded = _FOLDED[word] = sys.intern(_fold(word))
    return folded


_FOLDED: dict[str, str] = {}


def _fold(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("-", "").replace("'", "")
    word = OESOPHAGUS.sub(r"\1esophag", word)
    for british, american in BRITISH:
        if british in word:
            word = word.replace(british, american)
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) > 4 and word.endswith("oses"):
        return word[:-2] + "is"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(KEEP_FINAL_S) and not word[-2].isdigit():
        return word[:-1]
    return word


@dataclass(frozen=True)
class Word:
    """A folded word of a note with its character offsets and the phrase and sentence it belongs to."""

    text: str
    start: int
    end: int
    chunk: int
    sentence: int


KEPT_LETTER_AFTER = frozenset({"influenza", "flu", "hepatitis", "group", "vitamin", "strep", "type"})


def note_words(note: str) -> list[Word]:
    """The note's content words, each with offsets, chunk and sentence numbers; 'not'/'without' folded in."""
    breaks: list[tuple[int, bool]] = [(m.start(), True) for m in SENTENCE_BREAK.finditer(note)]
    breaks += [(m.start(), False) for m in CHUNK_BREAK.finditer(note)]
    breaks.sort()
    words: list[Word] = []
    chunk = sentence = 0
    position = 0
    negating = False
    pending_not = False
    previous = ""
    for match in TOKEN.finditer(note):
        while position < len(breaks) and breaks[position][0] < match.start():
            chunk += 1
            sentence += breaks[position][1]
            negating = pending_not = False
            position += 1
        written = match.group()
        kept_letter = False
        if written.lower() == "o" and note[max(0, match.start() - 2):match.start()].lower() == "w/":
            continue
        if written.lower() == "w" and note[match.end():match.end() + 2].lower() == "/o":
            folded = "without"
        elif written.lower() == "w" and note[match.end():match.end() + 1] == "/":
            folded = "with"
        elif len(written) == 1 and written.isupper() and previous in KEPT_LETTER_AFTER:
            folded, kept_letter = written.lower(), True  # "influenza A", "hepatitis B": the letter names it
        else:
            folded = fold(written)
        previous = folded
        if folded in NEGATORS:
            negating = True
            continue
        if folded in NEGATION_ENDS:
            negating = False
        if folded == "not":
            pending_not = True
            continue
        if folded in FUNCTION_WORDS and not kept_letter:
            continue
        if pending_not:
            folded, pending_not = "not_" + folded, False
        elif negating and folded != "or":
            folded = "no_" + folded
        words.append(Word(folded, match.start(), match.end(), chunk, sentence))
    return words


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A phrase (a title, an inclusion term, a lexicon phrase) folded the same way as a note."""
    if _ANY_BREAK.search(phrase):
        return tuple(word.text for word in note_words(phrase))
    return _unbroken_words(phrase)  # the common case, ~100,000 times while the tabular list loads: no Word objects


_ANY_BREAK = re.compile(r"[\n.?!;,:()\[\]•#|/–—]|\s-")


def _unbroken_words(phrase: str) -> tuple[str, ...]:
    """note_words for text without sentence or phrase breaks."""
    words: list[str] = []
    negating = pending_not = False
    previous = ""
    for written in TOKEN.findall(phrase):
        if len(written) == 1 and written.isupper() and previous in KEPT_LETTER_AFTER:
            previous = folded = written.lower()
            words.append(folded)
            continue
        folded = previous = fold(written)
        if folded in NEGATORS:
            negating = True
            continue
        if folded in NEGATION_ENDS:
            negating = False
        if folded == "not":
            pending_not = True
            continue
        if folded in FUNCTION_WORDS:
            continue
        if pending_not:
            folded, pending_not = "not_" + folded, False
        elif negating and folded != "or":
            folded = "no_" + folded
        words.append(folded)
    return tuple(words)
