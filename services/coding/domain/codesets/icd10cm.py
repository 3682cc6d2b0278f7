"""ICD-10-CM releases by date of service: which codes exist, which are billable, and their tabular notes.

A release covers a span of dates of service (a fiscal year runs 1 October to 30 September, and CMS
sometimes updates it on 1 April). Notes are kept where the tabular list puts them (a category, a
subcategory or a block of categories) and apply to every code beneath, as the tabular conventions say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from services.coding.domain.codesets.code_ranges import CodeRange


@dataclass(frozen=True)
class TabularNotes:
    """The instructional notes one tabular entry carries."""

    excludes1: tuple[CodeRange, ...] = ()
    code_first: tuple[str, ...] = ()
    use_additional: tuple[str, ...] = ()


@dataclass(frozen=True)
class Icd10CmRelease:
    """One ICD-10-CM release and the dates of service it covers (inclusive)."""

    name: str  # e.g. "ICD-10-CM FY2026 (April 1, 2026 update)"
    effective_from: dt.date
    effective_through: dt.date
    codes: frozenset[str]  # dotless, every category and code
    billable: frozenset[str]  # leaves: no longer code extends them
    notes: dict[str, TabularNotes] = field(default_factory=dict)  # by dotless code or block ("I20-I25")
    blocks: tuple[tuple[CodeRange, str], ...] = ()  # block ranges of categories, for block-level notes
    manifestations: frozenset[str] = frozenset()  # entries whose code-first note asks for the underlying disease
    _blocks_of_category: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day <= self.effective_through

    def is_valid(self, code: str) -> bool:
        return code in self.codes

    def is_billable(self, code: str) -> bool:
        return code in self.billable

    def entries_above(self, code: str) -> list[str]:
        """The code, its parent categories and the blocks holding it: whose notes apply to it."""
        entries = [code[:length] for length in range(len(code), 2, -1) if code[:length] in self.notes
                   or code[:length] in self.manifestations]
        category = code[:3]
        if category not in self._blocks_of_category:  # a memo: blocks are scanned once per category
            self._blocks_of_category[category] = [name for span, name in self.blocks if category in span]
        return entries + self._blocks_of_category[category]

    def excludes1_of(self, code: str) -> tuple[CodeRange, ...]:
        """Every Excludes1 reference that applies to a code (its own and its ancestors')."""
        return tuple(reference for entry in self.entries_above(code)
                     for reference in self.notes.get(entry, TabularNotes()).excludes1)

    def code_first_of(self, code: str) -> tuple[str, ...]:
        return tuple(note for entry in self.entries_above(code)
                     for note in self.notes.get(entry, TabularNotes()).code_first)

    def use_additional_of(self, code: str) -> tuple[str, ...]:
        return tuple(note for entry in self.entries_above(code)
                     for note in self.notes.get(entry, TabularNotes()).use_additional)

    def is_manifestation(self, code: str) -> bool:
        """True when the code (or a category above it) may not be sequenced first: code the etiology first."""
        return any(entry in self.manifestations for entry in self.entries_above(code))


def billable_leaves(codes: Iterable[str]) -> frozenset[str]:
    """The codes that no longer code extends (CMS: only those are valid on a claim)."""
    ordered = sorted(set(codes))
    # Sorted, a code's extensions follow it directly: it is a leaf when the next code does not extend it.
    return frozenset(code for code, following in zip(ordered, [*ordered[1:], ""], strict=True)
                     if not following.startswith(code))


@dataclass(frozen=True)
class Icd10CmCodeSets:
    """Every loaded release; answers which one covers a date of service."""

    releases: tuple[Icd10CmRelease, ...]

    def release_for(self, day: dt.date) -> Icd10CmRelease | None:
        """The release covering a date of service, or None when none is loaded for it."""
        return next((release for release in self.releases if release.covers(day)), None)

    def describe_loaded(self) -> str:
        return ", ".join(f"{r.name} ({r.effective_from.isoformat()} to {r.effective_through.isoformat()})"
                         for r in self.releases) or "none"
