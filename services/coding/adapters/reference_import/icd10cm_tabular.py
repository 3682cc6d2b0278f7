"""Read an ICD-10-CM release from CMS's tabular XML and code list (the files simple-icd-10-cm ships).

We read the package's data files rather than import its API: the import parses the whole tree into
Python objects (~2 s, ~190 MB per process); here we keep only codes and the notes the edits use.
A CMS release downloaded by hand (icd10cm-tabular-<year>.xml and its code list) reads the same way.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from services.coding.domain.codesets import CodeRange, Icd10CmRelease, TabularNotes, billable_leaves
from services.coding.domain.codesets.code_ranges import parse_reference, references_in_note

PACKAGE = "simple_icd_10_cm"
# A code-first note asking for the underlying disease marks a manifestation (etiology/manifestation
# convention, ICD-10-CM guidelines I.A.13). Conditional notes ("code first any associated ...", "...,
# if known", "if applicable") let the code stand first when there is no such condition, so they do not.
_UNDERLYING = re.compile(r"underlying|etiology|physiological condition", re.IGNORECASE)
_CONDITIONAL = re.compile(r"if known|if applicable|any associated|when associated", re.IGNORECASE)


class Icd10CmImportError(ValueError):
    """The files are not an ICD-10-CM tabular release we can read."""


def package_release_files() -> tuple[Path, Path]:
    """The code list and tabular XML inside the installed simple-icd-10-cm package."""
    spec = importlib.util.find_spec(PACKAGE)  # locates the package without running its import
    if spec is None or not spec.submodule_search_locations:
        raise Icd10CmImportError(f"{PACKAGE} is not installed")
    data = Path(spec.submodule_search_locations[0], "data")
    lists, tabulars = sorted(data.glob("code-list-*.txt")), sorted(data.glob("icd10c*-tabular-*.xml"))
    if len(lists) != 1 or len(tabulars) != 1:
        raise Icd10CmImportError(f"{PACKAGE} should ship one code list and one tabular XML")
    return lists[0], tabulars[0]


def read_code_list(text: str) -> frozenset[str]:
    """Codes of a CMS-style code list: one per line (chapters "1" and blocks "A00-A09" skipped)."""
    codes = (line.split(" ")[0].strip().replace(".", "") for line in text.splitlines())
    return frozenset(code for code in codes if code and "-" not in code and not code.isdigit())


_NOTE_TAGS = frozenset({"excludes1", "codeFirst", "useAdditionalCode"})


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
    """What we keep of a tabular list: its entries' codes, notes, blocks and manifestations."""

    codes: frozenset[str]
    notes: dict[str, TabularNotes]
    blocks: tuple[tuple[CodeRange, str], ...]
    manifestations: frozenset[str]


def read_tabular(xml_text: str) -> Tabular:
    """Notes by dotless code or block id, the block ranges, and the manifestation entries.

    Parsed as a stream: each entry is read when it closes (after its subcodes) and then dropped, so the
    whole tree is never held in memory.
    """
    notes: dict[str, TabularNotes] = {}
    manifestations: set[str] = set()
    blocks: list[tuple[CodeRange, str]] = []
    codes = set()
    try:
        for _, element in ET.iterparse(io.StringIO(xml_text), events=("end",)):
            if element.tag == "diag":
                name = (element.findtext("name") or "").strip().replace(".", "")
                if name:
                    codes.add(name)
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
    return Tabular(frozenset(codes), notes, tuple(blocks), frozenset(manifestations))


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
    return Icd10CmRelease(name, effective_from, effective_through, listed | tabular_list.codes,
                          billable_leaves(listed), tabular_list.notes, tabular_list.blocks,
                          tabular_list.manifestations)
