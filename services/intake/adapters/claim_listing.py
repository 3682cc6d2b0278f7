"""Intake's SQL for reading claims as lists and summaries (balances are projected in timeline_projection.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import claims
from services.intake.domain.claim_listing import ClaimFilters, Position

SUMMARY = (claims.c.claim_id, claims.c.external_id, claims.c.claim_type, claims.c.status, claims.c.status_at,
           claims.c.payer_id, claims.c.date_of_service, claims.c.total_charge, claims.c.billed, claims.c.paid,
           claims.c.adjusted, claims.c.patient_responsibility, claims.c.balance, claims.c.created_at,
           claims.c.updated_at)


class ClaimListing:
    """Claim summaries of one tenant, newest first; callers own the transaction."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def one(self, tenant_id: str, claim_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(*SUMMARY).where(
            claims.c.tenant_id == tenant_id, claims.c.claim_id == claim_id))).first()
        return dict(row._mapping) if row else None

    async def page(self, tenant_id: str, filters: ClaimFilters, after: Position | None,
                   limit: int) -> list[dict[str, Any]]:
        """Up to limit claims after the position, matching every filter given."""
        query = select(*SUMMARY).where(claims.c.tenant_id == tenant_id)
        if filters.status is not None:
            query = query.where(claims.c.status == filters.status)
        if filters.payer_id is not None:
            query = query.where(claims.c.payer_id == filters.payer_id)
        if filters.external_id is not None:
            query = query.where(claims.c.external_id == filters.external_id)
        # date_of_service is stored as ISO 8601 text, so text order is date order.
        if filters.date_of_service_from is not None:
            query = query.where(claims.c.date_of_service >= filters.date_of_service_from.isoformat())
        if filters.date_of_service_to is not None:
            query = query.where(claims.c.date_of_service <= filters.date_of_service_to.isoformat())
        if after is not None:
            query = query.where(tuple_(claims.c.created_at, claims.c.claim_id) < (after.created_at, after.claim_id))
        query = query.order_by(claims.c.created_at.desc(), claims.c.claim_id.desc()).limit(limit)
        return [dict(r._mapping) for r in (await self.session.execute(query)).all()]
