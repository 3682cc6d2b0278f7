"""All of coding's SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.tables import coded_claims, messaging
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events
from shared.messaging.topics import events_topic

TOPIC = events_topic("coding")


class CodingStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def version(self, claim_id: str) -> int:
        return (await self.session.execute(select(coded_claims.c.version)
                                           .where(coded_claims.c.claim_id == claim_id))).scalar() or 0

    async def save(self, claim_id: str, tenant_id: str, status: str, diagnoses: list, procedures: list,
                   findings: list, events: list[EventEnvelope], expected_version: int) -> None:
        version = await record_events(self.session, messaging, TOPIC, events, expected_version)
        values = dict(tenant_id=tenant_id, status=status, diagnoses=diagnoses, procedures=procedures,
                      findings=findings, version=version)
        await self.session.execute(insert(coded_claims).values(claim_id=claim_id, **values)
                                   .on_conflict_do_update(index_elements=["claim_id"], set_=values))

    async def get(self, tenant_id: str, claim_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(coded_claims).where(
            coded_claims.c.tenant_id == tenant_id, coded_claims.c.claim_id == claim_id))).first()
        return dict(row._mapping) if row else None
