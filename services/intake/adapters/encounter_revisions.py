"""Intake's SQL for a claim's encounter and its revision (the ETag of PUT /v1/claims/{id}/encounter)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import claims, messaging
from shared.contracts.encounter import Encounter
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events, stream_version
from shared.messaging.topics import events_topic


class EncounterRevisions:
    """The claims row's encounter and revision; callers own the transaction."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, tenant_id: str, claim_id: str, lock: bool = False) -> tuple[dict, int] | None:
        """(encounter document, revision), locked when asked; None for no claim or another tenant's."""
        query = select(claims.c.encounter, claims.c.version).where(claims.c.tenant_id == tenant_id,
                                                                   claims.c.claim_id == claim_id)
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return (row.encounter, row.version) if row else None

    async def replace(self, claim_id: str, corrected: Encounter, revision: int, event: EventEnvelope) -> None:
        """Store the corrected encounter at the new revision and append its event to intake's stream."""
        await record_events(self.session, messaging, events_topic("intake"), [event],
                            await stream_version(self.session, messaging, claim_id))
        await self.session.execute(update(claims).where(claims.c.claim_id == claim_id).values(
            encounter=corrected.model_dump(mode="json"), version=revision, claim_type=corrected.claim_type,
            payer_id=corrected.primary_coverage.payer.payer_id,
            date_of_service=corrected.date_of_service.isoformat(), total_charge=corrected.total_charge))
