"""Where the ICD-10-CM releases live, and how a manifest's entries become releases (code lists here).

The releases are listed in the `icd10cm` part of the coding reference manifest
(`services/coding/reference_data/manifest.json`, or `$CODING_REFERENCE_DIR/manifest.json`), the one
place an operator loads a new year (`python -m services.coding.adapters.reference_import`). Intake
reads the same entries through this module, so both services check a date of service against the
same release; coding reads the tabular notes besides. An entry is one of:

    "files": "package:simple_icd_10_cm"                  the release simple-icd-10-cm ships
    "files": {"code_list": ..., "tabular": ...}          a CMS release loaded by hand
    "files": {"previous": NAME, "addenda": PATH}         the release NAME with CMS's addenda applied
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from shared.icd10cm.addenda import Addenda, read_addenda
from shared.icd10cm.code_lists import (
    Icd10CmCodeList,
    Icd10CmCodeLists,
    apply_addenda,
    assumed_release,
    billable_leaves,
    headers_above,
)

# The shipped reference data is coding's (coding owns code sets, their importer and manifest); intake reads it
# through this module instead of importing coding.
SHIPPED_REFERENCE_DIR = Path(__file__).resolve().parents[2] / "services" / "coding" / "reference_data"
PACKAGED = "package:simple_icd_10_cm"
PACKAGE = "simple_icd_10_cm"
T = TypeVar("T")


class ReleaseManifestError(ValueError):
    """The manifest's ICD-10-CM entries cannot be read (missing files, an unknown previous release, a cycle)."""


def reference_directory() -> Path:
    """The reference-data directory the services read: CODING_REFERENCE_DIR, else the shipped one."""
    return Path(os.environ.get("CODING_REFERENCE_DIR") or SHIPPED_REFERENCE_DIR)


def package_release_files() -> tuple[Path, Path]:
    """The code list and tabular XML inside the installed simple-icd-10-cm package."""
    spec = importlib.util.find_spec(PACKAGE)  # locates the package without running its import (~2 s, ~190 MB)
    if spec is None or not spec.submodule_search_locations:
        raise ReleaseManifestError(f"{PACKAGE} is not installed: it ships the FY2026 ICD-10-CM release")
    data = Path(spec.submodule_search_locations[0], "data")
    lists, tabulars = sorted(data.glob("code-list-*.txt")), sorted(data.glob("icd10c*-tabular-*.xml"))
    if len(lists) != 1 or len(tabulars) != 1:
        raise ReleaseManifestError(f"{PACKAGE} should ship one code list and one tabular XML")
    return lists[0], tabulars[0]


def read_code_list(text: str) -> frozenset[str]:
    """Codes of a CMS-style code list: one per line, maybe with a title (chapters "1", blocks "A00-A09" skipped)."""
    codes = (line.split(" ")[0].strip().replace(".", "") for line in text.splitlines())
    return frozenset(code for code in codes if code and "-" not in code and not code.isdigit())


@dataclass(frozen=True)
class ReleaseEntry:
    """One `icd10cm` entry of the manifest."""

    name: str
    effective_from: dt.date
    effective_through: dt.date
    files: str | dict[str, str]

    @property
    def previous(self) -> str | None:
        """The release this one is derived from by addenda, if it is."""
        return self.files.get("previous") if isinstance(self.files, dict) else None


def release_entries(manifest: dict[str, Any]) -> list[ReleaseEntry]:
    """The manifest's ICD-10-CM entries, each after the release it derives from."""
    try:
        entries = [ReleaseEntry(e["name"], dt.date.fromisoformat(e["effective_from"]),
                                dt.date.fromisoformat(e["effective_through"]), e["files"])
                   for e in manifest.get("icd10cm", [])]
    except (KeyError, TypeError, ValueError) as error:
        raise ReleaseManifestError(f"an icd10cm entry of the manifest is malformed: {error}") from error
    by_name = {entry.name: entry for entry in entries}
    ordered: list[ReleaseEntry] = []

    def place(entry: ReleaseEntry, chain: tuple[str, ...]) -> None:
        if entry in ordered:
            return
        if entry.name in chain:
            raise ReleaseManifestError(f"{entry.name} derives from itself through {' -> '.join(chain)}")
        if entry.previous is not None:
            if entry.previous not in by_name:
                raise ReleaseManifestError(f"{entry.name} is derived from {entry.previous}, which is not loaded")
            place(by_name[entry.previous], (*chain, entry.name))
        ordered.append(entry)

    for entry in entries:
        place(entry, ())
    return ordered


def build_releases(entries: list[ReleaseEntry], directory: Path, read_base: Callable[[ReleaseEntry, Path], T],
                   derive: Callable[[T, Addenda, ReleaseEntry], T]) -> dict[str, T]:
    """Every release by name: base releases read by `read_base`, derived ones by `derive` from the one before."""
    built: dict[str, T] = {}
    for entry in entries:
        if entry.previous is None:
            built[entry.name] = read_base(entry, directory)
        else:
            assert isinstance(entry.files, dict)  # entry.previous says so
            text = (directory / entry.files["addenda"]).read_text(encoding="utf-8", errors="replace")
            built[entry.name] = derive(built[entry.previous], read_addenda(text), entry)
    return built


def read_manifest(directory: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def _base_code_list(entry: ReleaseEntry, directory: Path) -> Icd10CmCodeList:
    if entry.files == PACKAGED:
        path = package_release_files()[0]
    elif isinstance(entry.files, dict) and "code_list" in entry.files:
        path = directory / entry.files["code_list"]
    else:
        raise ReleaseManifestError(f"{entry.name}: files must be {PACKAGED!r}, a code list, or previous + addenda")
    listed = read_code_list(path.read_text(encoding="utf-8", errors="replace"))
    billable = billable_leaves(listed)
    # The package lists every code; CMS's icd10cm-codes-<year>.txt only the billable ones: add their headers.
    return Icd10CmCodeList(entry.name, entry.effective_from, entry.effective_through,
                           listed | headers_above(billable), billable)


def _derived_code_list(previous: Icd10CmCodeList, addenda: Addenda, entry: ReleaseEntry) -> Icd10CmCodeList:
    return apply_addenda(previous, addenda, entry.name, entry.effective_from, entry.effective_through)


def read_code_lists(directory: Path) -> Icd10CmCodeLists:
    """Every ICD-10-CM release the directory's manifest names, as code lists, in date order."""
    entries = release_entries(read_manifest(directory))
    built = build_releases(entries, directory, _base_code_list, _derived_code_list)
    return Icd10CmCodeLists(tuple(sorted(built.values(), key=lambda release: release.effective_from)))


@cache
def _code_lists(directory: Path, manifest_modified: float) -> Icd10CmCodeLists:
    return read_code_lists(directory)


def configured_code_lists() -> Icd10CmCodeLists:
    """The configured directory's releases, read once per process (well under a second; call it at startup)."""
    directory = reference_directory().resolve()
    return _code_lists(directory, (directory / "manifest.json").stat().st_mtime)


def release_used(entries: Iterable[ReleaseEntry], day: dt.date) -> tuple[ReleaseEntry, bool] | None:
    """The entry a date of service is checked against, and whether it is assumed (no entry covers the date)."""
    entries = list(entries)
    covering = next((e for e in entries if e.effective_from <= day <= e.effective_through), None)
    if covering is not None:
        return covering, False
    assumed = assumed_release(entries, day)
    return None if assumed is None else (assumed, True)


@cache
def _entries(directory: Path, manifest_modified: float) -> tuple[ReleaseEntry, ...]:
    return tuple(release_entries(read_manifest(directory)))


def configured_release_entries() -> tuple[ReleaseEntry, ...]:
    """The configured manifest's ICD-10-CM entries (names and dates only: no code list is read)."""
    directory = reference_directory().resolve()
    return _entries(directory, (directory / "manifest.json").stat().st_mtime)
