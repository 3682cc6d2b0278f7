"""A practice's correction of a claim's encounter: optimistic concurrency on the encounter's revision."""

from __future__ import annotations

from shared.contracts.encounter import Encounter
from shared.errors import DomainError
from shared.events.intake_events import ClaimEncounterCorrected


class EncounterRevisionMismatch(DomainError):
    """The caller corrected an older revision of the encounter than the stored one (a lost update)."""

    def __init__(self, current: int):
        super().__init__(f"the encounter is at revision {current}; read it again and re-apply the correction")
        self.current = current


class EncounterIdentityChanged(DomainError):
    """A correction may change anything but which PMS encounter the claim is."""


def correct_encounter(current_revision: int, expected_revision: int, stored: Encounter, corrected: Encounter,
                      reason: str) -> ClaimEncounterCorrected:
    """The event recording the correction, or an error when it would overwrite a newer revision or
    change the claim's external id."""
    if expected_revision != current_revision:
        raise EncounterRevisionMismatch(current_revision)
    if corrected.external_id != stored.external_id:
        raise EncounterIdentityChanged("external_id cannot change: it names the practice's encounter")
    return ClaimEncounterCorrected(encounter=corrected, reason=reason)


def revision_etag(revision: int) -> str:
    """The strong ETag of an encounter revision."""
    return f'"{revision}"'


def revision_from_if_match(value: str) -> int | None:
    """The revision an If-Match names, None when it is not one of our ETags."""
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    return int(text) if text.isdigit() else None
