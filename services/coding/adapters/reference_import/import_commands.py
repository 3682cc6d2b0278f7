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
from services.coding.adapters.reference_import.reference_files import SHIPPED, read_reference


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


def import_icd10cm(directory: Path, name: str, effective_from: dt.date, effective_through: dt.date,
                   code_list: Path, tabular: Path) -> str:
    """A CMS ICD-10-CM release (code list and tabular XML) for a span of dates of service."""
    release = read_release(name, effective_from, effective_through, code_list, tabular)
    manifest = prepare(directory)
    kept = [entry for entry in manifest["icd10cm"]
            if dt.date.fromisoformat(entry["effective_through"]) < effective_from
            or dt.date.fromisoformat(entry["effective_from"]) > effective_through]
    installed = _install(directory, "icd10cm", [code_list, tabular])
    manifest["icd10cm"] = sorted(kept + [{
        "name": name, "effective_from": effective_from.isoformat(), "effective_through": effective_through.isoformat(),
        "files": {"code_list": installed[0], "tabular": installed[1]}}], key=lambda entry: entry["effective_from"])
    _save(directory, manifest)
    return f"{len(release.codes)} ICD-10-CM codes, {len(release.billable)} billable"


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
