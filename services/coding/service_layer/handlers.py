"""Coding's use cases."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.repository import CodingStore
from services.coding.domain.review import coding_outcome
from shared.events.claim_events import ClaimCoded, ClaimReceived
from shared.events.envelope import EventEnvelope
from shared.events.intake_events import ClaimEncounterCorrected
from shared.messaging.outbox import envelope_for

SOURCE = "coding"


async def code_received_claim(session: AsyncSession, event: ClaimReceived, envelope: EventEnvelope) -> None:
    """Review the encounter's codes and emit claim.coded or claim.coding_review_required."""
    store = CodingStore(session)
    if await store.version(envelope.claim_id):
        return  # already coded: a new claim.received for the same claim changes nothing
    outcome, findings = coding_outcome(event.encounter)
    status = "coded" if isinstance(outcome, ClaimCoded) else "coding_review"
    diagnoses = [d.model_dump() for d in outcome.diagnoses] if isinstance(outcome, ClaimCoded) else []
    procedures = [p.model_dump() for p in outcome.procedures] if isinstance(outcome, ClaimCoded) else []
    await store.save(envelope.claim_id, envelope.tenant_id, status, diagnoses, procedures,
                     [asdict(f) for f in findings],
                     [envelope_for(outcome, source=SOURCE, claim_id=envelope.claim_id, tenant_id=envelope.tenant_id)],
                     expected_version=0)


async def recode_corrected_claim(session: AsyncSession, event: ClaimEncounterCorrected,
                                 envelope: EventEnvelope) -> None:
    """Run the same review on the corrected encounter; submission bills a changed claim.coded again."""
    store = CodingStore(session)
    outcome, findings = coding_outcome(event.encounter)
    status = "coded" if isinstance(outcome, ClaimCoded) else "coding_review"
    diagnoses = [d.model_dump() for d in outcome.diagnoses] if isinstance(outcome, ClaimCoded) else []
    procedures = [p.model_dump() for p in outcome.procedures] if isinstance(outcome, ClaimCoded) else []
    await store.save(envelope.claim_id, envelope.tenant_id, status, diagnoses, procedures,
                     [asdict(f) for f in findings],
                     [envelope_for(outcome, source=SOURCE, claim_id=envelope.claim_id, tenant_id=envelope.tenant_id)],
                     expected_version=await store.version(envelope.claim_id))
