"""Intake's use case for correcting a claim's encounter after it was received."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.encounter_revisions import EncounterRevisions
from services.intake.domain.claim import SOURCE
from services.intake.domain.encounter_correction import correct_encounter
from shared.contracts.encounter import Encounter
from shared.messaging.outbox import envelope_for


class ClaimNotFound(Exception):
    """No claim with this id for this tenant."""


async def stored_encounter(session: AsyncSession, tenant_id: str, claim_id: str) -> tuple[Encounter, int]:
    """The claim's current encounter and its revision (ClaimNotFound for another tenant's or no claim)."""
    found = await EncounterRevisions(session).get(tenant_id, claim_id)
    if found is None:
        raise ClaimNotFound(claim_id)
    return Encounter.model_validate(found[0]), found[1]


async def apply_encounter_correction(session: AsyncSession, tenant_id: str, claim_id: str, corrected: Encounter,
                                     reason: str, expected_revision: int) -> int:
    """Store the corrected encounter and queue claim.encounter_corrected in one transaction; returns the
    new revision. The claim row is locked, so of two concurrent corrections of one revision the second
    finds the revision moved (EncounterRevisionMismatch)."""
    revisions = EncounterRevisions(session)
    found = await revisions.get(tenant_id, claim_id, lock=True)
    if found is None:
        raise ClaimNotFound(claim_id)
    event = correct_encounter(found[1], expected_revision, Encounter.model_validate(found[0]), corrected, reason)
    await revisions.replace(claim_id, corrected, found[1] + 1,
                            envelope_for(event, source=SOURCE, claim_id=claim_id, tenant_id=tenant_id))
    return found[1] + 1
