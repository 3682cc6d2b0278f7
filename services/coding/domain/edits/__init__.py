"""Coding edits: run every edit on a claim against the loaded code sets and tables.

    reference = load_coding_reference()           # once, at startup (~1-2 s; cached per process)
    edits = run_coding_edits(CodingClaim.from_encounter(encounter), reference)
    definitions = list_edit_definitions()          # every edit id, severity, description and source
"""

from __future__ import annotations

from services.coding.domain.coding_claim import CodingClaim
from services.coding.domain.edits.diagnosis_edits import diagnosis_edits
from services.coding.domain.edits.model import DEFINITIONS, CodingEdit, EditDefinition
from services.coding.domain.edits.ncci_edits import mue_edits, ptp_edits
from services.coding.domain.edits.procedure_edits import procedure_edits
from services.coding.domain.edits.reference import CodingReference

__all__ = ["CodingEdit", "CodingReference", "EditDefinition", "list_edit_definitions", "load_coding_reference",
           "run_coding_edits"]


def run_coding_edits(claim: CodingClaim, reference: CodingReference) -> list[CodingEdit]:
    """Every edit that fires on the claim, diagnoses first, then procedures, then NCCI."""
    return (diagnosis_edits(claim, reference) + procedure_edits(claim, reference)
            + ptp_edits(claim, reference) + mue_edits(claim, reference))


def load_coding_reference() -> CodingReference:
    """The reference data the service is configured with (CODING_REFERENCE_DIR or the shipped set), read once."""
    # Reading files is an adapter's job; the import is deferred so the pure edits never pull it in.
    from services.coding.adapters.reference_import.reference_files import load_reference_once

    return load_reference_once()


def list_edit_definitions() -> list[EditDefinition]:
    """Every edit the review runs: id, severity, description and source."""
    return list(DEFINITIONS.values())
