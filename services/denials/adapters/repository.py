"""All of denials' SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.denials.adapters.tables import denials, messaging
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events, stream_version
from shared.messaging.topics import events_topic

TOPIC = events_topic("denials")


class DenialStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, record: dict[str, Any], events: list[EventEnvelope]) -> bool:
        """Insert a denial with its events; False when this ERA's denial of the claim exists."""
        added = (await self.session.execute(insert(denials).values(**record).on_conflict_do_nothing(
            constraint="denials_claim_era_key").returning(denials.c.denial_id))).first()
        if added is None:
            return False
        version = await stream_version(self.session, messaging, record["claim_id"])
        await record_events(self.session, messaging, TOPIC, events, version)
        return True

    async def list(self, tenant_id: str, status: str | None, limit: int) -> list[dict[str, Any]]:
        query = select(denials).where(denials.c.tenant_id == tenant_id)
        if status:
            query = query.where(denials.c.status == status)
        rows = (await self.session.execute(query.order_by(denials.c.created_at.desc()).limit(limit))).all()
        return [dict(r._mapping) for r in rows]
