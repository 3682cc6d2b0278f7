"""The edit library submission runs before a claim is queued; bump VERSION with every change to it."""

from __future__ import annotations

from services.submission.domain.scrubber import (
    claim_edits,
    coverage_edits,
    diagnosis_edits,
    drug_edits,
    provider_edits,
)
from services.submission.domain.scrubber.library import EditLibrary

VERSION = "2026.11.0"

# Not in this version, for want of a field in the Encounter contract to check:
# - phone format: the contract carries no phone number (the 837's PER phone is our own submitter's).
LIBRARY = EditLibrary(VERSION, (
    *provider_edits.EDITS,
    *diagnosis_edits.EDITS,
    *drug_edits.EDITS,
    *claim_edits.EDITS,
    *coverage_edits.EDITS,
))
