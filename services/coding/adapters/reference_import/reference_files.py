"""Load a CodingReference from a reference-data directory described by its manifest.json.

The shipped directory is services/coding/reference_data; CODING_REFERENCE_DIR points the service at
another one (a full quarter loaded by the import command). Files are read once per process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from services.coding.adapters.reference_import.cpt_descriptors import read_cpt_descriptors
from services.coding.adapters.reference_import.hcpcs_file import read_hcpcs_csv
from services.coding.adapters.reference_import.icd10cm_tabular import package_release_files, read_release
from services.coding.adapters.reference_import.ncci_files import build_ptp_table, read_mue_csv
from services.coding.adapters.reference_import.reference_tables import (
    read_demographic_rules,
    read_procedure_rules,
)
from services.coding.domain.codesets import CptDescriptorFile, Icd10CmCodeSets, Icd10CmRelease
from services.coding.domain.edits.reference import CodingReference

SHIPPED = Path(__file__).resolve().parents[2] / "reference_data"
PACKAGED = "package:simple_icd_10_cm"


def reference_directory() -> Path:
    """Where the service reads reference data from."""
    return Path(os.environ.get("CODING_REFERENCE_DIR") or SHIPPED)


@cache
def _parsed_release(name: str, effective_from: dt.date, effective_through: dt.date, code_list: Path,
                    tabular: Path, modified: tuple[float, float]) -> Icd10CmRelease:
    # The tabular list is most of the load time: parse each file version once per process.
    return read_release(name, effective_from, effective_through, code_list, tabular)


def _icd_release(entry: dict[str, Any], directory: Path) -> Icd10CmRelease:
    if entry["files"] == PACKAGED:
        code_list, tabular = package_release_files()
    else:
        code_list, tabular = directory / entry["files"]["code_list"], directory / entry["files"]["tabular"]
    return _parsed_release(entry["name"], dt.date.fromisoformat(entry["effective_from"]),
                           dt.date.fromisoformat(entry["effective_through"]), code_list.resolve(), tabular.resolve(),
                           (code_list.stat().st_mtime, tabular.stat().st_mtime))


def _icd_releases(entries: list[dict[str, Any]], directory: Path) -> Icd10CmCodeSets:
    return Icd10CmCodeSets(tuple(_icd_release(entry, directory) for entry in entries))


def read_reference(directory: Path) -> CodingReference:
    """Every table named by the directory's manifest.json."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))

    def text(name: str) -> str:
        return (directory / name).read_text(encoding="utf-8-sig", errors="replace")

    hcpcs = manifest["hcpcs"]
    cpt = manifest.get("cpt")
    return CodingReference(
        icd10cm=_icd_releases(manifest["icd10cm"], directory),
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
