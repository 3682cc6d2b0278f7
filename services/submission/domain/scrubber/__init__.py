"""The pre-submission scrubber: an open, versioned library of pure edits over an encounter (no I/O)."""

from services.submission.domain.scrubber.catalogue import LIBRARY, VERSION
from services.submission.domain.scrubber.context import (
    PayerSettings,
    PayerSettingsBook,
    ScrubContext,
    bundled_payer_settings,
)
from services.submission.domain.scrubber.library import Edit, EditLibrary, Finding, ScrubResult, Severity

__all__ = [
    "LIBRARY",
    "VERSION",
    "Edit",
    "EditLibrary",
    "Finding",
    "PayerSettings",
    "PayerSettingsBook",
    "ScrubContext",
    "ScrubResult",
    "Severity",
    "bundled_payer_settings",
]
