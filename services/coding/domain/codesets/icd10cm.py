"""ICD-10-CM releases by date of service: which codes exist, which are billable, and their tabular notes.

A release covers a span of dates of service (a fiscal year runs 1 October to 30 September, and CMS
sometimes updates it on 1 April). Notes are kept where the tabular list puts them (a category, a
subcategory or a block of categories) and apply to every code beneath, as the tabular conventions say.

A release made from CMS's yearly addenda (`derive_release`) has the codes, billability and titles of
the new year, and the notes of the release it was made from: the addenda carry no notes, so a new
code gets the notes of the categories and blocks above it, and a note CMS added or changed that year
is not known until the year's full tabular file is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from services.coding.domain.codesets.code_ranges import CodeRange
from shared.icd10cm import Addenda, Icd10CmCodeList, apply_addenda, assumed_release
from shared.icd10cm import billable_leaves as billable_leaves


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
    titles: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)  # long titles by code
    deleted: frozenset[str] = frozenset()  # billable in the release this one was derived from, not in this one
    # Other names of a code (its inclusion terms and Includes notes) and every code in tabular order: what the
    # note reader reads (`documentation/code_releases.py`); the edits do not.
    inclusion_terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    order: tuple[str, ...] = field(default=(), compare=False, repr=False)
    _blocks_of_category: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day <= self.effective_through

    def is_valid(self, code: str) -> bool:
        return code in self.codes

    def is_billable(self, code: str) -> bool:
        return code in self.billable

    def was_deleted(self, code: str) -> bool:
        """True when this release's update took the code off the billable list (deleted, or made a header)."""
        return code in self.deleted

    def describe(self) -> str:
        return f"{self.name} ({self.effective_from.isoformat()} to {self.effective_through.isoformat()})"

    def became_headers(self) -> frozenset[str]:
        """Codes this release's update turned from billable codes into headers (M72.2 in FY2027): their inclusion
        terms may have moved to one of their new subcodes."""
        return self.deleted & self.codes

    def code_list(self) -> Icd10CmCodeList:
        """The release's codes and titles, without its notes."""
        return Icd10CmCodeList(self.name, self.effective_from, self.effective_through, self.codes, self.billable,
                               self.titles, self.deleted)

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


def derive_release(previous: Icd10CmRelease, addenda: Addenda, name: str, effective_from: dt.date,
                   effective_through: dt.date) -> Icd10CmRelease:
    """The release CMS's addenda make from `previous` (AddendaError when they do not fit it)."""
    made = apply_addenda(previous.code_list(), addenda, name, effective_from, effective_through)
    # Codes new this year follow the ones carried over, in code order; the addenda carry no inclusion terms, and
    # those of a code that became a header are not trusted (they may belong to a new subcode now).
    order = tuple(code for code in previous.order if code in made.codes) + tuple(sorted(made.codes - previous.codes))
    terms = {code: terms for code, terms in previous.inclusion_terms.items()
             if code in made.codes and code not in made.deleted}
    return replace(previous, name=name, effective_from=effective_from, effective_through=effective_through,
                   codes=made.codes, billable=made.billable, titles=made.titles, deleted=made.deleted,
                   inclusion_terms=terms, order=order, _blocks_of_category={})


@dataclass(frozen=True)
class Icd10CmCodeSets:
    """Every loaded release; answers which one covers a date of service."""

    releases: tuple[Icd10CmRelease, ...]

    def release_for(self, day: dt.date) -> Icd10CmRelease | None:
        """The release covering a date of service, or None when none is loaded for it."""
        return next((release for release in self.releases if release.covers(day)), None)

    def assumed_for(self, day: dt.date) -> Icd10CmRelease | None:
        """The release to check a date no release covers against: the latest that starts before it, else the
        earliest (shared.icd10cm.assumed_release, the rule intake applies too)."""
        return assumed_release(self.releases, day)

    @property
    def latest(self) -> Icd10CmRelease | None:
        return max(self.releases, key=lambda release: release.effective_through, default=None)

    def describe_loaded(self) -> str:
        return ", ".join(release.describe() for release in self.releases) or "none"
