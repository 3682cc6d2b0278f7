"""Claim events owned by the intake service, added after the first contracts in claim_events.

Define each with `@CONTRACTS.register` on a `ClaimEvent` subclass; nested values subclass `Part`.
"""

from __future__ import annotations

from shared.contracts.encounter import Encounter
from shared.events.parts import Part  # noqa: F401
from shared.events.registry import CONTRACTS, ClaimEvent


@CONTRACTS.register
class ClaimEncounterCorrected(ClaimEvent):
    """The practice corrected the claim's encounter (demographics, coverage, codes): coding codes it
    again and, when a version was already sent, submission bills the result as a replacement."""

    event_type = "claim.encounter_corrected"
    encounter: Encounter
    reason: str  # plain language, no PHI
