"""Intake's SQL for reading claims and their timelines (writes: encounter_intake.py, timeline_projection.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import claims, timeline


class ClaimStore:
    """Intake's store; callers own the transaction."""

    def __init__(self, session: AsyncSession):
        self.session = session

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
