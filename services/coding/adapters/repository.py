"""Coding's SQL for coded claims and their event stream (the review queue's is in review_repository)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.tables import coded_claims, messaging
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events, stream_version
from shared.messaging.topics import events_topic

TOPIC = events_topic("coding")
CODED_COLUMNS = ("status", "diagnoses", "procedures", "findings", "encounter", "suggestions", "reasons",
                 "note_status", "review_id", "coding_round", "code_sets")


@dataclass(frozen=True, slots=True)
class CodingState:
    """Where coding stands on a claim: its last version in coding's stream (0: coding never wrote about it) and
    the round of its current coding (None: no coding stored for the claim's tenant)."""

    version: int
    coding_round: int | None


@functools.cache
def _states_statement() -> TextClause:
    schema = coded_claims.schema
    return text(f"""
        SELECT i.claim_id::text AS claim_id, c.coding_round,
               COALESCE((SELECT max(e.version) FROM "{schema}".claim_events e WHERE e.claim_id = i.claim_id), 0)
                   AS version
        FROM unnest(CAST(:claim_ids AS uuid[]), CAST(:tenant_ids AS text[])) AS i(claim_id, tenant_id)
        LEFT JOIN "{schema}".coded_claims c ON c.claim_id = i.claim_id AND c.tenant_id = i.tenant_id""")


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
        """Store the claim's current coding (`coding` holds the CODED_COLUMNS)."""
        await self.save_all([{**coding, "claim_id": claim_id, "tenant_id": tenant_id, "version": version}])

    async def states_of(self, claims: Sequence[tuple[str, str]]) -> dict[str, CodingState]:
        """Where coding stands on each (claim id, tenant id) of a batch, in one statement."""
        if not claims:
            return {}
        rows = await self.session.execute(_states_statement(), {"claim_ids": [claim for claim, _ in claims],
                                                                 "tenant_ids": [tenant for _, tenant in claims]})
        return {row.claim_id: CodingState(row.version, row.coding_round) for row in rows}

    async def save_all(self, codings: Sequence[dict[str, Any]]) -> None:
        """Store the current coding of many claims in one statement: each a dict of claim_id, tenant_id, version
        and the CODED_COLUMNS (a column left out is stored empty; no claim twice)."""
        if not codings:
            return
        statement = insert(coded_claims)
        changed = {k: statement.excluded[k] for k in ("tenant_id", "version", *CODED_COLUMNS)}
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["claim_id"], set_={**changed, "updated_at": func.now()}),
            [{"claim_id": c["claim_id"], "tenant_id": c["tenant_id"], "version": c["version"],
              **{k: c.get(k) for k in CODED_COLUMNS}} for c in codings])

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
