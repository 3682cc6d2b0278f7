"""ICD-10-CM releases shared by intake (validation at POST) and coding (edits): code lists by date of
service, CMS's yearly addenda applied to the release before, and the manifest both read.

    releases = configured_code_lists()            # once, at startup
    release = releases.release_for(date_of_service) or releases.assumed_for(date_of_service)
"""

from shared.icd10cm.addenda import Addenda, AddendaEntry, AddendaError, read_addenda
from shared.icd10cm.code_lists import (
    Icd10CmCodeList,
    Icd10CmCodeLists,
    apply_addenda,
    assumed_release,
    billable_leaves,
    fiscal_year,
    fiscal_year_span,
    headers_above,
)
from shared.icd10cm.release_files import (
    PACKAGED,
    SHIPPED_REFERENCE_DIR,
    ReleaseEntry,
    ReleaseManifestError,
    build_releases,
    configured_code_lists,
    configured_release_entries,
    package_release_files,
    read_code_list,
    read_code_lists,
    read_manifest,
    reference_directory,
    release_entries,
    release_used,
)

__all__ = [
    "PACKAGED", "SHIPPED_REFERENCE_DIR", "Addenda", "AddendaEntry", "AddendaError", "Icd10CmCodeList",
    "Icd10CmCodeLists", "ReleaseEntry", "ReleaseManifestError", "apply_addenda", "assumed_release",
    "billable_leaves", "build_releases", "configured_code_lists", "configured_release_entries", "fiscal_year",
    "fiscal_year_span", "headers_above", "package_release_files", "read_addenda", "read_code_list",
    "read_code_lists", "read_manifest", "reference_directory", "release_entries", "release_used",
]
