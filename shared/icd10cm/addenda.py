"""Read CMS's ICD-10-CM order-file addenda: the changes from one release's order file to the next.

CMS publishes them each year beside the tabular files ("icd10cm_order_addenda_<year>.txt" in
"<year> Code Descriptions in Tabular Order"). One change a line, in fixed columns:

    Add:         1 C7831   Secondary malignant neoplasm of larynx ...   Secondary malignant ...
    ^action (13) ^flag     ^code (7) ^short title (60)                  ^long title

The action is `Add:`, `Delete:`, `Revise from:` or `Revise to:` (a revision is a pair); the flag
is 1 for a billable code and 0 for a header. A billable code that becomes a header is a
`Delete: 1` and an `Add: 0` of the same code. The file ends with CMS's own counts ("74719 codes in
icd10cm_order_2026.txt", "23467 headers in ..."), which say which release the addenda apply to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Action = Literal["add", "delete", "revise_from", "revise_to"]
_ACTIONS: dict[str, Action] = {"Add:": "add", "Delete:": "delete", "Revise from:": "revise_from",
                               "Revise to:": "revise_to"}
_CODE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z]{1,5}$")  # a letter second since FY2027 (QA171)
_SUMMARY = re.compile(r"^\s*([0-9]+) (codes|headers) in icd10cm_order_([0-9]{4})\.txt\s*$")


class AddendaError(ValueError):
    """The file is not a CMS order-file addenda, or does not apply to the release it is given."""


@dataclass(frozen=True)
class AddendaEntry:
    """One changed order-file entry."""

    action: Action
    billable: bool
    code: str  # dotless, as in the order file
    short_title: str
    long_title: str


@dataclass(frozen=True)
class Addenda:
    """Every change of one update, and CMS's counts of codes (billable) and headers per year."""

    entries: tuple[AddendaEntry, ...]
    counts: dict[tuple[str, int], int]  # ("codes" | "headers", year) -> count in that year's order file

    @property
    def fiscal_year(self) -> int | None:
        """The year the changes lead to (the newer order file named in the counts)."""
        years = {year for _, year in self.counts}
        return max(years) if years else None

    def count(self, kind: str, year: int | None) -> int | None:
        return self.counts.get((kind, year)) if year is not None else None

    def of(self, action: Action, billable: bool | None = None) -> list[AddendaEntry]:
        """The entries with this action (and flag, when given)."""
        return [e for e in self.entries if e.action == action and (billable is None or e.billable == billable)]


def _entry(line: str, number: int) -> AddendaEntry | None:
    action = _ACTIONS.get(line[:13].strip())
    if action is None:
        return None
    flag, code = line[13:14], line[15:22].strip()
    if flag not in ("0", "1") or not _CODE.match(code):
        raise AddendaError(f"line {number}: expected a 0/1 flag and an ICD-10-CM code in the order-file columns")
    return AddendaEntry(action, flag == "1", code, line[23:83].strip(), line[84:].strip())


def read_addenda(text: str) -> Addenda:
    """The entries and the closing counts of an addenda file; anything else in the entry part is refused."""
    entries: list[AddendaEntry] = []
    counts: dict[tuple[str, int], int] = {}
    in_summary = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not in_summary:
            entry = _entry(line, number)
            if entry is not None:
                entries.append(entry)
                continue
            in_summary = True  # CMS's counts follow the last change
        if summary := _SUMMARY.match(line):
            counts[(summary.group(2), int(summary.group(3)))] = int(summary.group(1))
    if not entries:
        raise AddendaError("no Add/Delete/Revise lines: not a CMS ICD-10-CM order-file addenda")
    _check_revisions_pair(entries)
    return Addenda(tuple(entries), counts)


def _check_revisions_pair(entries: list[AddendaEntry]) -> None:
    for index, entry in enumerate(entries):
        following = entries[index + 1] if index + 1 < len(entries) else None
        if entry.action == "revise_from" and (following is None or following.action != "revise_to"
                                              or following.code != entry.code):
            raise AddendaError(f"'Revise from' {entry.code} is not followed by its 'Revise to'")
        if entry.action == "revise_to" and (index == 0 or entries[index - 1].action != "revise_from"):
            raise AddendaError(f"'Revise to' {entry.code} has no 'Revise from' before it")
