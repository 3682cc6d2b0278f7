"""Load a CodingReference from a reference-data directory described by its manifest.json.

The shipped directory is services/coding/reference_data; CODING_REFERENCE_DIR points the service at
another one (a full quarter loaded by the import command). Files are read once per process.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from services.coding.adapters.reference_import.cpt_descriptors import read_cpt_descriptors
from services.coding.adapters.reference_import.hcpcs_file import read_hcpcs_csv
from services.coding.adapters.reference_import.icd10cm_tabular import Icd10CmImportError, read_release
from services.coding.adapters.reference_import.ncci_files import build_ptp_table, read_mue_csv
from services.coding.adapters.reference_import.reference_tables import (
    read_demographic_rules,
    read_procedure_rules,
)
from services.coding.domain.codesets import CptDescriptorFile, Icd10CmCodeSets, Icd10CmRelease, derive_release
from services.coding.domain.edits.reference import CodingReference
from shared.icd10cm import (
    PACKAGED,
    SHIPPED_REFERENCE_DIR,
    Addenda,
    ReleaseEntry,
    build_releases,
    package_release_files,
    reference_directory,
    release_entries,
)

SHIPPED = SHIPPED_REFERENCE_DIR
__all__ = ["SHIPPED", "load_reference_once", "read_icd10cm_releases", "read_reference", "reference_directory"]


@cache
def _parsed_release(name: str, effective_from: dt.date, effective_through: dt.date, code_list: Path,
                    tabular: Path, modified: tuple[float, float]) -> Icd10CmRelease:
    # The tabular list is most of the load time: parse each file version once per process.
    return read_release(name, effective_from, effective_through, code_list, tabular)


def _base_release(entry: ReleaseEntry, directory: Path) -> Icd10CmRelease:
    if entry.files == PACKAGED:
        code_list, tabular = package_release_files()
    elif isinstance(entry.files, dict) and {"code_list", "tabular"} <= entry.files.keys():
        code_list, tabular = directory / entry.files["code_list"], directory / entry.files["tabular"]
    else:
        raise Icd10CmImportError(f"{entry.name}: files must be {PACKAGED!r}, a code list and tabular XML, "
                                 "or a previous release and its addenda")
    return _parsed_release(entry.name, entry.effective_from, entry.effective_through, code_list.resolve(),
                           tabular.resolve(), (code_list.stat().st_mtime, tabular.stat().st_mtime))


def _derived_release(previous: Icd10CmRelease, addenda: Addenda, entry: ReleaseEntry) -> Icd10CmRelease:
    return derive_release(previous, addenda, entry.name, entry.effective_from, entry.effective_through)


def read_icd10cm_releases(manifest: dict[str, Any], directory: Path) -> Icd10CmCodeSets:
    """The manifest's ICD-10-CM releases in date order, a release made from addenda after the one before it."""
    built = build_releases(release_entries(manifest), directory, _base_release, _derived_release)
    return Icd10CmCodeSets(tuple(sorted(built.values(), key=lambda release: release.effective_from)))


def read_reference(directory: Path) -> CodingReference:
    """Every table named by the directory's manifest.json."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))

    def text(name: str) -> str:
        return (directory / name).read_text(encoding="utf-8-sig", errors="replace")

    hcpcs = manifest["hcpcs"]
    cpt = manifest.get("cpt")
    return CodingReference(
        icd10cm=read_icd10cm_releases(manifest, directory),
        hcpcs=read_hcpcs_csv(text(hcpcs["file"]), hcpcs["release"], bool(hcpcs["complete"])),
        cpt=read_cpt_descriptors(text(cpt["file"]), cpt["name"]) if cpt else CptDescriptorFile("none loaded", {}),
        ptp=build_ptp_table(manifest["ncci_ptp"]["release"], [text(name) for name in manifest["ncci_ptp"]["files"]]),
        mue=read_mue_csv(text(manifest["ncci_mue"]["file"]), manifest["ncci_mue"]["release"]),
        demographics=read_demographic_rules(text(manifest["mce"])),
        procedures=read_procedure_rules(text(manifest["add_on_codes"]), text(manifest["minor_procedures"])),
    )


@cache
def load_reference_once(directory: Path | None = None) -> CodingReference:
    """The reference of a directory (the configured one by default), read on first use and kept."""
    return read_reference(directory or reference_directory())
