"""Install a reference file into a reference-data directory: parse it (so a bad file is refused), copy
it in, and point the directory's manifest.json at it. The directory starts as a copy of the shipped one.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

from services.coding.adapters.reference_import.cpt_descriptors import read_cpt_descriptors
from services.coding.adapters.reference_import.hcpcs_file import read_hcpcs_csv
from services.coding.adapters.reference_import.icd10cm_tabular import read_release
from services.coding.adapters.reference_import.ncci_files import build_ptp_table, read_mue_csv
from services.coding.adapters.reference_import.reference_files import (
    SHIPPED,
    read_icd10cm_releases,
    read_reference,
)
from services.coding.domain.codesets import derive_release
from shared.icd10cm import AddendaError, fiscal_year_span, read_addenda, release_entries


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig", errors="replace")


def prepare(directory: Path) -> dict[str, Any]:
    """The directory's manifest, first copying the shipped reference data there if it has none."""
    if not (directory / "manifest.json").exists():
        shutil.copytree(SHIPPED, directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    manifest: dict[str, Any] = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def _install(directory: Path, kind: str, files: list[Path]) -> list[str]:
    (directory / kind).mkdir(parents=True, exist_ok=True)
    names = []
    for file in files:
        shutil.copyfile(file, directory / kind / file.name)
        names.append(f"{kind}/{file.name}")
    return names


def _save(directory: Path, manifest: dict[str, Any]) -> None:
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def import_ptp(directory: Path, release: str, files: list[Path]) -> str:
    """A quarter's PTP files (practitioner: ccipra-v<version>-f1..f4) replace the loaded ones."""
    table = build_ptp_table(release, [_read(file) for file in files])
    manifest = prepare(directory)
    manifest["ncci_ptp"] = {"release": release, "files": _install(directory, "ncci", files)}
    _save(directory, manifest)
    return f"{sum(len(rows) for rows in table.edits.values())} PTP edits, {len(table.edits)} pairs"


def import_mue(directory: Path, release: str, file: Path) -> str:
    table = read_mue_csv(_read(file), release)
    manifest = prepare(directory)
    manifest["ncci_mue"] = {"release": release, "file": _install(directory, "ncci", [file])[0]}
    _save(directory, manifest)
    return f"{len(table.values)} MUE values"


def import_hcpcs(directory: Path, release: str, file: Path) -> str:
    """The whole quarterly file, saved from its workbook as CSV: absent codes then become errors."""
    code_set = read_hcpcs_csv(_read(file), release, complete=True)
    manifest = prepare(directory)
    manifest["hcpcs"] = {"release": release, "file": _install(directory, "hcpcs", [file])[0], "complete": True}
    _save(directory, manifest)
    return f"{len(code_set.codes)} HCPCS Level II codes"


def import_cpt(directory: Path, name: str, file: Path) -> str:
    descriptors = read_cpt_descriptors(_read(file), name)
    manifest = prepare(directory)
    manifest["cpt"] = {"name": name, "file": _install(directory, "cpt", [file])[0]}
    _save(directory, manifest)
    return f"{len(descriptors.descriptors)} CPT descriptors"


def _with_release(manifest: dict[str, Any], entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest's releases with `entry` in place of those whose dates overlap it; a release another one is
    derived from by addenda is not dropped from under it."""
    start, end = dt.date.fromisoformat(entry["effective_from"]), dt.date.fromisoformat(entry["effective_through"])
    kept, dropped = [], []
    for existing in manifest["icd10cm"]:
        overlaps = not (dt.date.fromisoformat(existing["effective_through"]) < start
                        or dt.date.fromisoformat(existing["effective_from"]) > end)
        (dropped if overlaps else kept).append(existing)
    needed = {e["files"].get("previous") for e in [*kept, entry] if isinstance(e["files"], dict)}
    if lost := sorted(e["name"] for e in dropped if e["name"] in needed):
        raise AddendaError(f"{', '.join(lost)} would be replaced, but a release is derived from it")
    return sorted([*kept, entry], key=lambda e: e["effective_from"])


def import_icd10cm(directory: Path, name: str, effective_from: dt.date, effective_through: dt.date,
                   code_list: Path, tabular: Path) -> str:
    """A CMS ICD-10-CM release (code list and tabular XML) for a span of dates of service."""
    release = read_release(name, effective_from, effective_through, code_list, tabular)
    manifest = prepare(directory)
    entry = {"name": name, "effective_from": effective_from.isoformat(),
             "effective_through": effective_through.isoformat(),
             "files": {"code_list": f"icd10cm/{code_list.name}", "tabular": f"icd10cm/{tabular.name}"}}
    releases = _with_release(manifest, entry)
    _install(directory, "icd10cm", [code_list, tabular])
    manifest["icd10cm"] = releases
    _save(directory, manifest)
    return f"{len(release.codes)} ICD-10-CM codes, {len(release.billable)} billable"


def import_icd10cm_addenda(directory: Path, addenda_file: Path, name: str | None = None,
                           effective_from: dt.date | None = None, effective_through: dt.date | None = None,
                           previous: str | None = None) -> str:
    """CMS's yearly order-file addenda applied to the release before them: the new release, effective-dated.

    The fiscal year, and so the name and dates, come from the counts closing the file unless given; the
    release before is the loaded one that ends last before the new one starts, unless named. The new release
    is built and checked (every change fits, CMS's counts match) before anything is copied."""
    addenda = read_addenda(_read(addenda_file))
    year = addenda.fiscal_year
    if year is None and (name is None or effective_from is None or effective_through is None):
        raise AddendaError("the file carries no closing counts to tell its fiscal year: give --name, --from, --through")
    span = fiscal_year_span(year) if year is not None else (effective_from, effective_through)
    name = name or f"ICD-10-CM FY{year}"
    start, end = effective_from or span[0], effective_through or span[1]
    assert start is not None and end is not None
    manifest = prepare(directory)
    loaded = read_icd10cm_releases(manifest, directory)
    before = [r for r in loaded.releases if r.effective_through < start]
    base = next((r for r in loaded.releases if r.name == previous), None) if previous else \
        max(before, key=lambda r: r.effective_through, default=None)
    if base is None:
        raise AddendaError(f"no release {previous!r} is loaded" if previous else
                           f"no loaded release ends before {start.isoformat()} to apply the addenda to")
    made = derive_release(base, addenda, name, start, end)
    entry = {"name": name, "effective_from": start.isoformat(), "effective_through": end.isoformat(),
             "files": {"previous": base.name, "addenda": f"icd10cm/{addenda_file.name}"}}
    releases = _with_release(manifest, entry)
    if (directory / entry["files"]["addenda"]).resolve() != addenda_file.resolve():
        _install(directory, "icd10cm", [addenda_file])
    manifest["icd10cm"] = releases
    release_entries(manifest)  # the chain of previous releases still resolves
    _save(directory, manifest)
    revised = len(addenda.of("revise_to"))
    return (f"{name} ({start.isoformat()} to {end.isoformat()}) from {base.name}: {len(made.billable)} billable codes, "
            f"{len(made.billable - base.billable)} added, {len(made.deleted)} deleted, {revised} revised")


def check(directory: Path) -> str:
    """Load everything the manifest names, as the service will."""
    reference = read_reference(directory)
    return "\n".join([
        f"ICD-10-CM: {reference.icd10cm.describe_loaded()}",
        f"HCPCS: {reference.hcpcs.release}: {len(reference.hcpcs.codes)} codes"
        f"{'' if reference.hcpcs.complete else ' (extract)'}",
        f"CPT descriptors: {reference.cpt.name}: {len(reference.cpt.descriptors)}",
        f"NCCI PTP: {reference.ptp.release}: {len(reference.ptp.edits)} pairs",
        f"NCCI MUE: {reference.mue.release}: {len(reference.mue.values)} codes",
    ])
