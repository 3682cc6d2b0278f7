"""The ICD-10-CM releases the reader codes against, one per release of coding's reference manifest, chosen by the
date of service the way the edits and intake choose theirs.

The releases are the ones `load_coding_reference()` already holds for the edits (one parse of the tabular list per
process): FY2026 as simple-icd-10-cm ships it, FY2027 made from it by CMS's order-file addenda. Each gives the
reader every code's title (CMS's long title; a 7th-character code's is built from the code it extends), its
inclusion terms and Includes notes (from the tabular XML; a code new in a release made from addenda has none, and a
code the update turned into a header keeps none), whether it is billable, and its parent (the longest code it
extends). This module only presents them in dotted form, in tabular order.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import NamedTuple

from services.coding.domain.codesets import Icd10CmCodeSets, Icd10CmRelease


def dotted(code: str) -> str:
    """'E1122' or 'E11.22' -> 'E11.22'."""
    bare = code.replace(".", "").strip().upper()
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


class TabularEntry(NamedTuple):  # a tuple: one is built per code and release at start-up
    """One code of the tabular list: its title, inclusion terms and parent (None for a category)."""

    code: str
    description: str
    inclusion_terms: tuple[str, ...]
    parent: str | None
    billable: bool


class CodeRelease:
    """One release in the reader's terms (dotted codes); compared and hashed by identity, built once per release."""

    def __init__(self, release: Icd10CmRelease):
        self.release = release
        self.name = release.name
        self.effective = release.effective_from
        self.through = release.effective_through
        # codes that became headers in this release: their old inclusion terms may have moved to a new code
        self.split = frozenset(dotted(code) for code in release.became_headers())
        self._codes = tuple(dotted(code) for code in release.order)
        self._present = frozenset(self._codes)
        self._entries: dict[str, TabularEntry | None] = {}
        self._children: dict[str, list[str]] | None = None
        self._under: dict[str, list[str]] = {}

    def entry(self, code: str) -> TabularEntry | None:
        """The code's entry in this release, or None when the release has no such code."""
        if code not in self._entries:
            self._entries[code] = self._entry(code)
        return self._entries[code]

    def _entry(self, code: str) -> TabularEntry | None:
        if code not in self._present:
            return None
        bare, release = code.replace(".", ""), self.release
        parent = None
        for length in range(len(bare) - 1, 2, -1):  # the longest code it extends (T78.40XA extends T78.40)
            if bare[:length] in release.codes:
                parent = bare[:length] if length == 3 else f"{bare[:3]}.{bare[3:length]}"
                break
        return TabularEntry(code, release.titles.get(bare, ""), release.inclusion_terms.get(bare, ()), parent,
                            bare in release.billable)

    def billable(self, code: str) -> bool:
        entry = self.entry(code)
        return entry is not None and entry.billable

    def description(self, code: str) -> str:
        entry = self.entry(code)
        return entry.description if entry else ""

    def use_additional_notes(self, code: str) -> tuple[str, ...]:
        """The code's own "Use additional code" notes."""
        notes = self.release.notes.get(code.replace(".", "")) if code in self._present else None
        return notes.use_additional if notes is not None else ()

    def codes(self) -> Iterator[str]:
        """Every code of the release, categories and headers included, in tabular order."""
        yield from self._codes

    def children(self, code: str) -> list[str]:
        if self._children is None:
            children: dict[str, list[str]] = {}
            for each in self._codes:
                entry = self.entry(each)
                if entry is not None and entry.parent is not None:
                    children.setdefault(entry.parent, []).append(each)
            self._children = children
        return self._children.get(code, [])

    def has(self, code: str) -> bool:
        """Whether the release has the code (billable or not)."""
        return code in self._present

    def billable_under(self, code: str) -> list[str]:
        """The billable codes at or under code (kept: a reader asks for the same families again and again)."""
        cached = self._under.get(code)
        if cached is None:
            cached = self._under[code] = self._billable_under(code)
        return cached

    def _billable_under(self, code: str) -> list[str]:
        found, stack = [], [code]
        while stack:
            current = stack.pop()
            if self.billable(current):
                found.append(current)
            stack.extend(self.children(current))
        return sorted(found)


_READER_RELEASES: dict[int, tuple[Icd10CmCodeSets, tuple[CodeRelease, ...]]] = {}
_LOCK = threading.Lock()


def _code_sets() -> Icd10CmCodeSets:
    from services.coding.domain.edits import load_coding_reference  # the edits' reference, loaded once per process

    return load_coding_reference().icd10cm


def releases_of(code_sets: Icd10CmCodeSets) -> tuple[CodeRelease, ...]:
    """The reader's releases over a loaded reference's, oldest first (built once per reference)."""
    with _LOCK:
        known = _READER_RELEASES.get(id(code_sets))
        if known is None or known[0] is not code_sets:
            known = _READER_RELEASES[id(code_sets)] = (code_sets, tuple(CodeRelease(r) for r in code_sets.releases))
        return known[1]


def code_releases() -> tuple[CodeRelease, ...]:
    """Every release the reader knows, oldest first: the configured reference manifest's."""
    return releases_of(_code_sets())


def release_for(date_of_service: dt.date) -> CodeRelease:
    """The release for a date of service; a date no release covers is read with the release the edits assume for
    it (the latest that starts before it, else the earliest), and the edits name the missing release."""
    code_sets = _code_sets()
    chosen = code_sets.release_for(date_of_service) or code_sets.assumed_for(date_of_service)
    if chosen is None:
        raise LookupError("no ICD-10-CM release is loaded")
    return next(release for release in releases_of(code_sets) if release.release is chosen)
