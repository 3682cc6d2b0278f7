"""Coding's SQL for coded claims and their event stream (the review queue's is in review_repository)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.tables import coded_claims, messaging
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events, stream_version
from shared.messaging.topics import events_topic

TOPIC = events_topic("coding")
CODED_COLUMNS = ("status", "diagnoses", "procedures", "findings", "encounter", "suggestions", "reasons",
                 "note_status", "review_id", "coding_round", "code_sets")


class CodingStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def stream_version(self, claim_id: str) -> int:
        """The claim's last version in coding's stream (0 when coding never wrote about it)."""
        return await stream_version(self.session, messaging, claim_id)

    async def record(self, claim_id: str, events: Sequence[EventEnvelope], expected_version: int) -> int:
        """Append events to the claim's stream and the outbox; ConcurrencyError when another writer did first."""
        return await record_events(self.session, messaging, TOPIC, events, expected_version)

    async def save(self, claim_id: str, tenant_id: str, coding: dict[str, Any], version: int) -> None:
        """Store the claim's current coding (the CODED_COLUMNS in `coding`)."""
        values = {"tenant_id": tenant_id, "version": version, "updated_at": func.now(),
                  **{k: coding[k] for k in CODED_COLUMNS if k in coding}}
        await self.session.execute(insert(coded_claims).values(claim_id=claim_id, **values)
                                   .on_conflict_do_update(index_elements=["claim_id"], set_=values))

    async def update(self, claim_id: str, changes: dict[str, Any], version: int) -> None:
        """Change some of an existing claim's coding columns."""
        await self.session.execute(update(coded_claims).where(coded_claims.c.claim_id == claim_id)
                                   .values(version=version, updated_at=func.now(), **changes))

    async def get(self, tenant_id: str, claim_id: str, for_update: bool = False) -> dict[str, Any] | None:
        query = select(coded_claims).where(coded_claims.c.tenant_id == tenant_id, coded_claims.c.claim_id == claim_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return dict(row._mapping) if row else None

    async def last_coded_event(self, claim_id: str) -> dict[str, Any] | None:
        """The data of the claim's last claim.coded in coding's stream (for claims coded before 0002)."""
        events = messaging.claim_events
        row = (await self.session.execute(
            select(events.c.data).where(events.c.claim_id == claim_id, events.c.event_type == "claim.coded")
            .order_by(events.c.version.desc()).limit(1))).first()
        return row.data if row else None
