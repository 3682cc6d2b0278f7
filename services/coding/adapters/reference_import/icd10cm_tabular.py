"""Read an ICD-10-CM release from CMS's tabular XML and code list (the files simple-icd-10-cm ships).

We read the package's data files rather than import its API: the import parses the whole tree into
Python objects (~2 s, ~190 MB per process); here we keep only codes, titles, the notes the edits use, and
the inclusion terms and tabular order the note reader reads. A CMS release downloaded by hand
(icd10cm-tabular-<year>.xml and its code list) reads the same way.

Titles are the tabular list's descriptions; a code with a 7th character (S82.001A) has none of its own
there, so its title is built as CMS builds the order file's: the title of the code it extends, then the
7th character's meaning from the nearest sevenChrDef above it ("..., initial encounter for closed
fracture").
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from services.coding.domain.codesets import CodeRange, Icd10CmRelease, TabularNotes, billable_leaves
from services.coding.domain.codesets.code_ranges import parse_reference, references_in_note
from shared.icd10cm import package_release_files as package_release_files
from shared.icd10cm import read_code_list as read_code_list

# A code-first note asking for the underlying disease marks a manifestation (etiology/manifestation
# convention, ICD-10-CM guidelines I.A.13). Conditional notes ("code first any associated ...", "...,
# if known", "if applicable") let the code stand first when there is no such condition, so they do not.
_UNDERLYING = re.compile(r"underlying|etiology|physiological condition", re.IGNORECASE)
_CONDITIONAL = re.compile(r"if known|if applicable|any associated|when associated", re.IGNORECASE)


class Icd10CmImportError(ValueError):
    """The files are not an ICD-10-CM tabular release we can read."""


_NOTE_TAGS = frozenset({"excludes1", "codeFirst", "useAdditionalCode"})
# Other names for a code: its inclusion terms, then its "Includes" notes (a category's apply beneath it too).
_TERM_TAGS = ("inclusionTerm", "includes")


def _read_entry(element: ET.Element, key: str, notes: dict[str, TabularNotes], manifestations: set[str]) -> None:
    texts: dict[str, list[str]] = {tag: [] for tag in _NOTE_TAGS}
    for child in element:
        if child.tag in _NOTE_TAGS:
            texts[child.tag] += [note.text.strip() for note in child.iter("note") if note.text]
    excludes1 = tuple(dict.fromkeys(ref for text in texts["excludes1"] for ref in references_in_note(text)))
    code_first = tuple(texts["codeFirst"])
    use_additional = tuple(texts["useAdditionalCode"])
    if excludes1 or code_first or use_additional:
        notes[key] = TabularNotes(excludes1, code_first, use_additional)
    if any(_UNDERLYING.search(text) and not _CONDITIONAL.search(text) for text in code_first):
        manifestations.add(key)


@dataclass(frozen=True)
class Tabular:
    """What we keep of a tabular list: its entries' codes, titles, notes, blocks and manifestations."""

    codes: frozenset[str]
    notes: dict[str, TabularNotes]
    blocks: tuple[tuple[CodeRange, str], ...]
    manifestations: frozenset[str]
    titles: dict[str, str]
    seventh_characters: dict[str, dict[str, str]]  # entry -> 7th character -> meaning, from its sevenChrDef
    inclusion_terms: dict[str, tuple[str, ...]]  # code -> its inclusion terms and Includes notes, in order
    order: tuple[str, ...] = ()  # the entries' codes in tabular order (a category before its subcodes)

    def titles_with_seventh_characters(self, codes: frozenset[str]) -> dict[str, str]:
        """Every code's title, building those of 7th-character codes from the code they extend."""
        titles = dict(self.titles)
        for code in codes:
            if len(code) == 7 and code not in titles:
                base = code[:6].rstrip("X")  # S0100XA extends S0100; the X only holds the place
                meaning = next((self.seventh_characters[code[:length]][code[6]] for length in range(6, 2, -1)
                                if code[6] in self.seventh_characters.get(code[:length], {})), None)
                if base in titles and meaning is not None:
                    titles[code] = f"{titles[base]}, {meaning}"
        return titles


def read_tabular(xml_text: str) -> Tabular:
    """Notes by dotless code or block id, the block ranges, and the manifestation entries.

    Parsed as a stream: each entry is read when it closes (after its subcodes) and then dropped, so the
    whole tree is never held in memory.
    """
    notes: dict[str, TabularNotes] = {}
    manifestations: set[str] = set()
    blocks: list[tuple[CodeRange, str]] = []
    codes = set()
    titles: dict[str, str] = {}
    seventh: dict[str, dict[str, str]] = {}
    inclusion_terms: dict[str, tuple[str, ...]] = {}
    order: list[str] = []
    opened: list[int] = []  # the slots in `order` of the entries open at this point of the stream
    try:
        for event, element in ET.iterparse(io.StringIO(xml_text), events=("start", "end")):
            if event == "start":
                if element.tag == "diag":  # its name is not read yet: keep its place in document order
                    opened.append(len(order))
                    order.append("")
                continue
            if element.tag == "diag":
                name = (element.findtext("name") or "").strip().replace(".", "")
                order[opened.pop()] = name
                if name:
                    codes.add(name)
                    titles[name] = (element.findtext("desc") or "").strip()
                    terms = tuple(note.text.strip() for tag in _TERM_TAGS for child in element.findall(tag)
                                  for note in child if note.text)
                    if terms:
                        inclusion_terms[name] = terms
                    if (characters := element.find("sevenChrDef")) is not None:
                        seventh[name] = {e.get("char", ""): (e.text or "").strip() for e in characters}
                    _read_entry(element, name, notes, manifestations)
                element.clear()
            elif element.tag == "section" and (span := parse_reference(block := element.get("id", ""))):
                blocks.append((span, block))
                _read_entry(element, block, notes, manifestations)
                element.clear()
    except ET.ParseError as error:
        raise Icd10CmImportError(f"the tabular file is not XML: {error}") from error
    if not blocks:
        raise Icd10CmImportError("the tabular file has no sections: not an ICD-10-CM tabular list")
    return Tabular(frozenset(codes), notes, tuple(blocks), frozenset(manifestations), titles, seventh,
                   inclusion_terms, tuple(code for code in order if code))


def read_release(name: str, effective_from: dt.date, effective_through: dt.date,
                 code_list: Path, tabular: Path) -> Icd10CmRelease:
    """One release from its code list and tabular XML.

    The code list may hold every code (the package's list) or only the billable ones (CMS's
    icd10cm-codes-<year>.txt); either way billable codes are its leaves, and categories come from the
    tabular list, so a category is reported as not billable rather than as unknown.
    """
    listed = read_code_list(code_list.read_text(encoding="utf-8", errors="replace"))
    if not listed:
        raise Icd10CmImportError(f"{code_list.name} lists no codes")
    tabular_list = read_tabular(tabular.read_text(encoding="utf-8"))
    codes = listed | tabular_list.codes
    return Icd10CmRelease(name, effective_from, effective_through, codes, billable_leaves(listed),
                          tabular_list.notes, tabular_list.blocks, tabular_list.manifestations,
                          tabular_list.titles_with_seventh_characters(codes),
                          inclusion_terms=tabular_list.inclusion_terms,
                          order=in_tabular_order(tabular_list.order, codes))


def in_tabular_order(entries: tuple[str, ...], codes: frozenset[str]) -> tuple[str, ...]:
    """Every code in the tabular list's order; a code it has no entry for (a 7th-character extension, S82001A,
    only in the code list) right after the entry it extends, in code order."""
    known = set(entries)
    extensions: dict[str | None, list[str]] = {}
    for code in sorted(codes - known):
        extended = next((code[:length] for length in range(len(code) - 1, 2, -1) if code[:length] in known), None)
        extensions.setdefault(extended, []).append(code)
    ordered: list[str] = []
    for entry in entries:
        ordered.append(entry)
        ordered.extend(extensions.pop(entry, ()))
    return tuple(ordered) + tuple(code for rest in extensions.values() for code in rest)
