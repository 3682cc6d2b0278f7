"""What an edit reports, and the catalogue of every edit the coding review runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class CodingEdit:
    """One finding on a claim's coding; messages name codes, never the patient."""

    edit_id: str  # stable id e.g. "COD-ICD-NONBILLABLE"
    severity: Severity
    message: str
    source: str  # e.g. "ICD-10-CM FY2026 (April 1, 2026 update) Tabular: Excludes1"
    codes: tuple[str, ...]
    line_numbers: tuple[int, ...] = ()  # 1-based service lines involved


@dataclass(frozen=True)
class EditDefinition:
    edit_id: str
    severity: Severity
    description: str
    source: str


DEFINITIONS: dict[str, EditDefinition] = {d.edit_id: d for d in (
    EditDefinition("COD-ICD-NO-CODESET", "error",
                   "No ICD-10-CM release is loaded at all, so no diagnosis can be checked.",
                   "ICD-10-CM releases loaded (fiscal year 1 October to 30 September)"),
    EditDefinition("COD-ICD-RELEASE-ASSUMED", "warning",
                   "No ICD-10-CM release covers the date of service: the diagnoses were checked against the nearest "
                   "release loaded, assuming their codes did not change (an error, holding every such claim, when "
                   "the tenant's coding policy says hold_all).",
                   "ICD-10-CM releases loaded (fiscal year 1 October to 30 September)"),
    EditDefinition("COD-ICD-ASSUMED-UNKNOWN", "error",
                   "No ICD-10-CM release covers the date of service and a diagnosis is not in the nearest release "
                   "loaded: it may be new in the year not loaded, or invalid; a coder checks it.",
                   "ICD-10-CM code list of the release assumed for the date of service"),
    EditDefinition("COD-ICD-INVALID", "error",
                   "A diagnosis is not an ICD-10-CM code in the release covering the date of service (never was, or "
                   "that release deleted it).",
                   "ICD-10-CM Tabular List and code list of the release covering the date of service"),
    EditDefinition("COD-ICD-NONBILLABLE", "error",
                   "A diagnosis is a category or subcategory with more specific codes beneath it: only leaf codes "
                   "are billable.", "ICD-10-CM code list: billable (leaf) codes"),
    EditDefinition("COD-ICD-EXCLUDES1", "error",
                   "Two diagnoses are never coded together: one carries an Excludes1 note naming the other.",
                   "ICD-10-CM Tabular List: Excludes1 notes; Official Guidelines I.A.12.a"),
    EditDefinition("COD-ICD-AGE", "error",
                   "A diagnosis fits only patients of another age (newborn, pediatric, maternity or adult).",
                   "CMS Medicare Code Editor: age conflict"),
    EditDefinition("COD-ICD-SEX", "error", "A diagnosis fits only patients of the other sex.",
                   "CMS Medicare Code Editor: sex conflict"),
    EditDefinition("COD-ICD-MANIFESTATION-FIRST", "error",
                   "The first-listed diagnosis is a manifestation: the underlying condition must be coded first.",
                   "ICD-10-CM Tabular List: code first notes; Official Guidelines I.A.13"),
    EditDefinition("COD-ICD-SEQUELA-FIRST", "error",
                   "The first-listed diagnosis is a sequela (7th character S): the residual condition comes first.",
                   "ICD-10-CM Official Guidelines I.B.10 and I.C.19.a"),
    EditDefinition("COD-ICD-EXTCAUSE-FIRST", "error",
                   "The first-listed diagnosis is an external-cause code (V00-Y99), which is never first-listed.",
                   "ICD-10-CM Official Guidelines I.C.20"),
    EditDefinition("COD-PROC-FORMAT", "error",
                   "A procedure code has neither a CPT nor a HCPCS Level II format.",
                   "AMA CPT code structure; CMS HCPCS Level II code structure"),
    EditDefinition("COD-HCPCS-UNKNOWN", "error",
                   "A HCPCS Level II code is not in the complete HCPCS file loaded.", "CMS HCPCS quarterly file"),
    EditDefinition("COD-HCPCS-UNVERIFIED", "warning",
                   "A HCPCS Level II code is not in the HCPCS extract loaded; load the full file to verify it.",
                   "CMS HCPCS quarterly file (extract)"),
    EditDefinition("COD-HCPCS-INACTIVE", "error",
                   "A HCPCS Level II code was not yet added, or was already terminated, on the date of service.",
                   "CMS HCPCS quarterly file: ADD DT and TERM DT"),
    EditDefinition("COD-CPT-UNKNOWN", "warning",
                   "A CPT code is not in the practice's licensed CPT file.", "practice's licensed CPT file"),
    EditDefinition("COD-NCCI-PTP-0", "error",
                   "Two procedures on the same day form an NCCI PTP pair that no modifier may bypass "
                   "(modifier indicator 0): the column 2 code is not payable.", "CMS NCCI PTP edits"),
    EditDefinition("COD-NCCI-PTP-1", "error",
                   "Two procedures on the same day form an NCCI PTP pair (modifier indicator 1) and neither carries "
                   "a bypass modifier (59, XE, XS, XP, XU, an anatomic modifier, or 25/57 on a column 2 E/M).",
                   "CMS NCCI PTP edits; NCCI Policy Manual ch. I"),
    EditDefinition("COD-NCCI-MUE", "error",
                   "The units of a code exceed its medically unlikely edit (per line, or per day for MAI 2 and 3).",
                   "CMS NCCI MUE values"),
    EditDefinition("COD-ADDON-NO-PRIMARY", "error",
                   "An add-on code is billed without one of its primary procedures on the same day.",
                   "CMS NCCI add-on code edits; CPT add-on code instructions"),
    EditDefinition("COD-MOD25-MISSING", "error",
                   "An E/M service billed the same day as a minor procedure (global 0 or 10 days) lacks modifier 25.",
                   "CMS Medicare Claims Processing Manual ch. 12 s. 30.6.6; PFS global days"),
)}


def edit(edit_id: str, message: str, source: str, codes: tuple[str, ...],
         line_numbers: tuple[int, ...] = ()) -> CodingEdit:
    """An edit with the severity its definition gives it."""
    return CodingEdit(edit_id, DEFINITIONS[edit_id].severity, message, source, codes, line_numbers)
