"""The ICD-10-CM releases the reader codes against, one per fiscal year, chosen by the date of service.

FY2026 is the tabular list simple-icd-10-cm 1.5.0 ships (April 2026 update): every code with its description,
inclusion terms and place in the hierarchy. FY2027 (dates from 2026-10-01) is FY2026 with CMS's FY2027 order-file
addenda applied (`icd10cm_order_addenda_2027.txt`, copied byte for byte from /work/shared/data/icd10cm): 190
billable codes added with CMS's titles, 30 deleted, 4 retitled. That is how a yearly update is applied, and the
same shape takes the next one: a base release plus an addenda file.

A release is an overlay on its base, not a copy, so two releases cost little more memory than one.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
FY2027_ADDENDA = HERE / "icd10cm_order_addenda_2027.txt"


def dotted(code: str) -> str:
    """'E1122' or 'E11.22' -> 'E11.22'."""
    bare = code.replace(".", "").strip().upper()
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


@dataclass(frozen=True)
class TabularEntry:
    """One code of the tabular list: its title, inclusion terms and parent (None for a category)."""

    code: str
    description: str
    inclusion_terms: tuple[str, ...]
    parent: str | None
    billable: bool


@dataclass(eq=False)  # compared and hashed by identity: releases are built once per process
class CodeRelease:
    """The codes in force from `effective` through `through`: a base release with changes laid over it."""

    name: str
    effective: dt.date
    through: dt.date
    base: CodeRelease | None = None
    changed: dict[str, TabularEntry] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    # codes that became headers in this release: their old inclusion terms may have moved to a new code
    split: set[str] = field(default_factory=set)
    _children: dict[str, list[str]] | None = None
    _under: dict[str, list[str]] = field(default_factory=dict)
    _present: frozenset[str] | None = None

    def entry(self, code: str) -> TabularEntry | None:
        """The code's entry in this release, or None when the release has no such code."""
        if code in self.changed:
            return self.changed[code]
        if code in self.removed or self.base is None:
            return None
        return self.base.entry(code)

    def billable(self, code: str) -> bool:
        entry = self.entry(code)
        return entry is not None and entry.billable

    def description(self, code: str) -> str:
        entry = self.entry(code)
        return entry.description if entry else ""

    def codes(self) -> Iterator[str]:
        """Every code of the release, categories and headers included."""
        if self.base is not None:
            yield from (code for code in self.base.codes() if code not in self.removed and code not in self.changed)
        yield from self.changed

    def children(self, code: str) -> list[str]:
        if self._children is None:
            children: dict[str, list[str]] = {}
            for each in self.codes():
                entry = self.entry(each)
                if entry is not None and entry.parent is not None:
                    children.setdefault(entry.parent, []).append(each)
            self._children = children
        return self._children.get(code, [])

    def has(self, code: str) -> bool:
        """Whether the release has the code (billable or not), from a set built once."""
        if self._present is None:
            self._present = frozenset(self.codes())
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


class _PackageRelease(CodeRelease):
    """FY2026 as simple-icd-10-cm ships it; entries are read from the package on demand."""

    def __init__(self) -> None:
        super().__init__("ICD-10-CM FY2026 (April 2026 update)", dt.date(2025, 10, 1), dt.date(2026, 9, 30))
        import simple_icd_10_cm as icd

        # B20, F99, P84, R99 and Z66 are both a block and a category: keep the category
        codes = (c for c in icd.get_all_codes(False) if icd.is_category_or_subcategory(c) or
                 icd.is_extended_subcategory(c))
        self._codes = list(dict.fromkeys(dotted(c) for c in codes))
        self._known = set(self._codes)

    def entry(self, code: str) -> TabularEntry | None:
        return _package_entry(code) if code in self._known else None

    def codes(self) -> Iterator[str]:
        yield from self._codes


@functools.cache
def _package_entry(code: str) -> TabularEntry:
    import simple_icd_10_cm as icd

    parent = icd.get_parent(code) if not icd.is_category(code) else None
    parent = dotted(parent) if parent else None
    # inclusion terms, and a category's "Includes" terms, which apply to it and every code beneath it
    terms = tuple(icd.get_inclusion_term(code)) + tuple(icd.get_includes(code))
    return TabularEntry(code, icd.get_description(code), terms, parent, icd.is_leaf(code))


def apply_addenda(base: CodeRelease, text: str, name: str, effective: dt.date, through: dt.date) -> CodeRelease:
    """The release CMS's order-file addenda make of base: 'Add:', 'Delete:', 'Revise from:'/'Revise to:' lines,
    each with the billable flag (1) or header flag (0), the code, a 60-character short title and the long title."""
    release = CodeRelease(name, effective, through, base=base)
    for line in text.splitlines():
        action = line[:13].strip().rstrip(":").lower()
        if action not in ("add", "delete", "revise to") or len(line) < 23:
            continue
        flag, code, title = line[13], dotted(line[15:22]), line[84:].strip() or line[23:83].strip()
        old = base.entry(code)
        if action == "delete":
            if code not in release.changed:
                release.removed.add(code)
            continue
        parent = dotted(code[:-1].rstrip(".")) if len(code.replace(".", "")) > 3 else None
        if old is not None and old.billable and flag == "0":
            release.split.add(code)
        terms = old.inclusion_terms if old is not None and action == "revise to" else ()
        release.changed[code] = TabularEntry(code, title, terms, parent, flag == "1")
        release.removed.discard(code)
    return release


@functools.cache
def code_releases() -> tuple[CodeRelease, ...]:
    """Every release the reader knows, oldest first (loaded once per process)."""
    fy2026 = _PackageRelease()
    fy2027 = apply_addenda(fy2026, FY2027_ADDENDA.read_text(encoding="ascii"), "ICD-10-CM FY2027",
                           dt.date(2026, 10, 1), dt.date(2027, 9, 30))
    return fy2026, fy2027


def release_for(date_of_service: dt.date) -> CodeRelease:
    """The release for a date of service; dates past the newest release use the newest (its codes are the best
    guess, and coding's edits name the missing release), dates before FY2026 use FY2026."""
    releases = code_releases()
    for release in releases:
        if release.effective <= date_of_service <= release.through:
            return release
    return releases[-1] if date_of_service > releases[-1].through else releases[0]
