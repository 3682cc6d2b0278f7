"""ICD-10-CM releases as code lists by date of service, and a yearly update applied to the release before.

A release covers a span of dates of service (fiscal year N runs 1 October N-1 to 30 September N).
Each knows every code (headers and billable codes, dotless) and which are billable; a release
derived from CMS's addenda also knows what the update deleted, so a refusal can say so, and the
titles the addenda carry. When no loaded release covers a date (next October, before anyone loads
the new year), `assumed_for` names the release to check against instead: the caller says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from shared.icd10cm.addenda import Addenda, AddendaError


@dataclass(frozen=True)
class Icd10CmCodeList:
    """One release's codes for a span of dates of service (inclusive)."""

    name: str  # e.g. "ICD-10-CM FY2027"
    effective_from: dt.date
    effective_through: dt.date
    codes: frozenset[str]  # every header and billable code, dotless
    billable: frozenset[str]
    titles: Mapping[str, str] = field(default_factory=dict)  # long titles, where the source carries them
    deleted: frozenset[str] = frozenset()  # billable in the release before, not billable in this one
    added: frozenset[str] = frozenset()  # billable in this release, not in the release before

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day <= self.effective_through

    def describe(self) -> str:
        return f"{self.name} ({self.effective_from.isoformat()} to {self.effective_through.isoformat()})"


def fiscal_year(day: dt.date) -> int:
    """The ICD-10-CM fiscal year of a day: FY2027 runs 1 October 2026 to 30 September 2027."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_span(year: int) -> tuple[dt.date, dt.date]:
    """First and last date of service of fiscal year `year`."""
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)


def billable_leaves(codes: Iterable[str]) -> frozenset[str]:
    """The codes that no longer code extends (CMS: only those are valid on a claim)."""
    ordered = sorted(set(codes))
    # Sorted, a code's extensions follow it directly: it is a leaf when the next code does not extend it.
    return frozenset(code for code, following in zip(ordered, [*ordered[1:], ""], strict=True)
                     if not following.startswith(code))


def headers_above(billable: Iterable[str]) -> frozenset[str]:
    """The categories and subcategories of billable codes, for a list (CMS's codes file) that has only those.

    A trailing X is a placeholder (T78.40XA), not a subcategory, so a prefix ending in X is not a header."""
    return frozenset(code[:length] for code in billable for length in range(3, len(code))
                     if length == 3 or code[length - 1] != "X")


def _check_counts(addenda: Addenda, previous: Icd10CmCodeList, codes: frozenset[str],
                  billable: frozenset[str]) -> None:
    """CMS's own counts name the release the addenda apply to and the one they make: both must match."""
    year = addenda.fiscal_year
    for kind, year_of, count in (("codes", year - 1 if year else None, len(previous.billable)),
                                 ("headers", year - 1 if year else None, len(previous.codes - previous.billable)),
                                 ("codes", year, len(billable)), ("headers", year, len(codes - billable))):
        expected = addenda.count(kind, year_of)
        if expected is not None and expected != count:
            made = "the release they make has" if year_of == year else f"{previous.name} has"
            raise AddendaError(f"the addenda count {expected} {kind} in the FY{year_of} order file; {made} {count}")


def _check_applies(addenda: Addenda, previous: Icd10CmCodeList) -> None:
    """Every deleted or revised entry exists with its flag; every added one is new (or a billable code's
    header re-add)."""
    problems = []
    becomes_header = {e.code for e in addenda.of("delete", billable=True)}
    for entry in addenda.entries:
        present = entry.code in previous.codes
        was_billable = entry.code in previous.billable
        if entry.action in ("delete", "revise_from", "revise_to") and (not present or was_billable != entry.billable):
            problems.append(f"{entry.code} is not a {'billable code' if entry.billable else 'header'} "
                            f"of {previous.name}")
        elif entry.action == "add" and present and not (entry.code in becomes_header and not entry.billable):
            problems.append(f"{entry.code} is added but already in {previous.name}")
    if problems:
        shown = "; ".join(problems[:5])
        raise AddendaError(f"the addenda do not apply to {previous.name}: {shown}"
                           + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))


def apply_addenda(previous: Icd10CmCodeList, addenda: Addenda, name: str, effective_from: dt.date,
                  effective_through: dt.date) -> Icd10CmCodeList:
    """The release the addenda make from `previous`; refused (AddendaError) when they do not fit it."""
    _check_applies(addenda, previous)
    removed = {e.code for e in addenda.of("delete")}
    added = {e.code for e in addenda.of("add")}
    codes = frozenset((previous.codes - removed) | added)
    billable = frozenset((previous.billable - {e.code for e in addenda.of("delete", billable=True)})
                         | {e.code for e in addenda.of("add", billable=True)})
    _check_counts(addenda, previous, codes, billable)
    titles = {code: title for code, title in previous.titles.items() if code in codes}
    titles.update({e.code: e.long_title for e in addenda.entries if e.action in ("add", "revise_to")})
    return Icd10CmCodeList(name, effective_from, effective_through, codes, billable, titles,
                           deleted=frozenset(previous.billable - billable),
                           added=frozenset(billable - previous.billable))


@dataclass(frozen=True)
class Icd10CmCodeLists:
    """Every loaded release, by date of service."""

    releases: tuple[Icd10CmCodeList, ...]

    def release_for(self, day: dt.date) -> Icd10CmCodeList | None:
        """The release covering a date of service, or None when none is loaded for it."""
        return next((release for release in self.releases if release.covers(day)), None)

    def assumed_for(self, day: dt.date) -> Icd10CmCodeList | None:
        """The release to check a date no release covers against: the latest one that starts before it (a
        later year not loaded yet), else the earliest loaded (an older year never loaded)."""
        return assumed_release(self.releases, day)

    def describe_loaded(self) -> str:
        return ", ".join(release.describe() for release in self.releases) or "none"


class _Dated(Protocol):
    @property
    def effective_from(self) -> dt.date: ...


R = TypeVar("R", bound=_Dated)


def assumed_release(releases: Iterable[R], day: dt.date) -> R | None:
    """See Icd10CmCodeLists.assumed_for; generic so coding's richer releases use the same rule."""
    ordered = sorted(releases, key=lambda release: release.effective_from)
    before = [release for release in ordered if release.effective_from <= day]
    return before[-1] if before else (ordered[0] if ordered else None)
