"""All of intake's SQL: claims, idempotency keys and the timeline projection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import claims, idempotency_keys, messaging, timeline
from services.intake.domain.claim import NewClaim
from services.intake.domain.outbound_webhooks import StatusChange
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events
from shared.messaging.topics import events_topic

TOPIC = events_topic("intake")


class ClaimStore:
    """Intake's store; callers own the transaction."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def claim_by_external_id(self, tenant_id: str, external_id: str) -> str | None:
        return (await self.session.execute(select(claims.c.claim_id).where(
            claims.c.tenant_id == tenant_id, claims.c.external_id == external_id))).scalar()

    async def add(self, claim: NewClaim) -> bool:
        """Insert the claim and its events; False when the external id was taken concurrently."""
        encounter = claim.encounter
        now = claim.events[0].time
        inserted = (await self.session.execute(insert(claims).values(
            claim_id=claim.claim_id, tenant_id=claim.tenant_id, external_id=encounter.external_id,
            claim_type=encounter.claim_type, status="received", status_at=now,
            payer_id=encounter.primary_coverage.payer.payer_id,
            date_of_service=encounter.date_of_service.isoformat(), total_charge=encounter.total_charge,
            encounter=encounter.model_dump(mode="json"), version=len(claim.events),
        ).on_conflict_do_nothing(constraint="claims_tenant_external_key").returning(claims.c.claim_id))).first()
        if inserted is None:
            return False
        await record_events(self.session, messaging, TOPIC, claim.events, expected_version=0)
        return True

    async def get(self, tenant_id: str, claim_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(
            claims.c.claim_id, claims.c.external_id, claims.c.claim_type, claims.c.status, claims.c.status_at,
            claims.c.payer_id, claims.c.date_of_service, claims.c.total_charge, claims.c.created_at,
            claims.c.updated_at).where(claims.c.tenant_id == tenant_id, claims.c.claim_id == claim_id))).first()
        return dict(row._mapping) if row else None

    async def timeline(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(
            timeline.c.event_id, timeline.c.event_type, timeline.c.source, timeline.c.occurred_at,
            timeline.c.trace_id, timeline.c.status, timeline.c.summary,
        ).where(timeline.c.tenant_id == tenant_id, timeline.c.claim_id == claim_id)
            .order_by(timeline.c.occurred_at, timeline.c.event_id))).all()
        return [dict(r._mapping) for r in rows]

    async def project(self, envelope: EventEnvelope, status: str | None, summary: dict[str, Any],
                      trace_id: str | None) -> StatusChange | None:
        """Add the event to the claim's timeline and move its status when the event is the latest.

        Returns the status change, or None when the status stayed as it was.
        """
        await self.session.execute(insert(timeline).values(
            event_id=envelope.id, claim_id=envelope.claim_id, tenant_id=envelope.tenant_id,
            event_type=envelope.type, source=envelope.source, occurred_at=envelope.time, trace_id=trace_id,
            status=status, summary=summary).on_conflict_do_nothing())
        if status is None:
            return None
        # UPDATE ... FROM a locked read of the row: RETURNING then sees the status before the update
        before = select(claims.c.claim_id, claims.c.status).where(
            claims.c.claim_id == envelope.claim_id).with_for_update().subquery("before")
        moved = (await self.session.execute(update(claims).where(
            claims.c.claim_id == before.c.claim_id, claims.c.status_at <= envelope.time,
        ).values(status=status, status_at=envelope.time, updated_at=func.now()).returning(
            claims.c.tenant_id, claims.c.external_id, before.c.status.label("previous_status")))).first()
        if moved is None or moved.previous_status == status:
            return None
        return StatusChange(tenant_id=moved.tenant_id, claim_id=envelope.claim_id, external_id=moved.external_id,
                            status=status, previous_status=moved.previous_status, event_type=envelope.type,
                            event_id=envelope.id, occurred_at=envelope.time)

    async def received_at(self, claim_id: str) -> dt.datetime | None:
        """When intake accepted the claim's encounter."""
        return (await self.session.execute(select(claims.c.created_at).where(
            claims.c.claim_id == claim_id))).scalar()

    async def tenant_of(self, claim_id: str) -> str | None:
        return (await self.session.execute(select(claims.c.tenant_id).where(claims.c.claim_id == claim_id))).scalar()

    async def oldest_in_status(self, statuses: tuple[str, ...], per_status: int) -> list[dict[str, Any]]:
        """Up to per_status claims of each status, longest in it first (ids, payer and time only)."""
        ranked = select(claims.c.claim_id, claims.c.tenant_id, claims.c.payer_id, claims.c.status,
                        claims.c.status_at, func.row_number().over(
                            partition_by=claims.c.status, order_by=claims.c.status_at).label("rank")
                        ).where(claims.c.status.in_(statuses)).subquery()
        rows = await self.session.execute(select(ranked).where(ranked.c.rank <= per_status)
                                          .order_by(ranked.c.status, ranked.c.status_at))
        return [dict(r._mapping) for r in rows]

    async def status_counts(self) -> list[tuple[str, str, int]]:
        """(tenant, status, claims) for every tenant and status in use."""
        rows = await self.session.execute(select(claims.c.tenant_id, claims.c.status, func.count())
                                          .group_by(claims.c.tenant_id, claims.c.status))
        return [(r[0], r[1], r[2]) for r in rows]

    async def stored_response(self, tenant_id: str, key: str) -> tuple[str, int, dict[str, Any]] | None:
        row = (await self.session.execute(select(
            idempotency_keys.c.request_hash, idempotency_keys.c.status_code, idempotency_keys.c.response)
            .where(idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.idempotency_key == key,
                   idempotency_keys.c.created_at > func.now() - dt.timedelta(hours=24)))).first()
        return (row.request_hash, row.status_code, row.response) if row else None

    async def reserve_key(self, tenant_id: str, key: str, request_hash: str) -> bool:
        """Take the key for this request; blocks behind a concurrent holder until it commits.

        Returns False when the key already holds a response (the caller replays it).
        """
        await self.session.execute(idempotency_keys.delete().where(
            idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.idempotency_key == key,
            idempotency_keys.c.created_at <= func.now() - dt.timedelta(hours=24)))
        taken = (await self.session.execute(insert(idempotency_keys).values(
            tenant_id=tenant_id, idempotency_key=key, request_hash=request_hash, status_code=0, response={},
        ).on_conflict_do_nothing().returning(idempotency_keys.c.idempotency_key))).first()
        return taken is not None

    async def save_response(self, tenant_id: str, key: str, status_code: int, response: dict[str, Any]) -> None:
        await self.session.execute(update(idempotency_keys).where(
            idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.idempotency_key == key,
        ).values(status_code=status_code, response=response))
