"""The learned edits table and its SQL (edits accepted in denials, per tenant)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, String, Table, Text, select
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.tables import metadata

# Edits a tenant accepted in denials (claim.scrubber_edit_accepted), applied by the scrubber to new claims.
learned_edits = Table(
    "learned_edits", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("edit_id", String(20), primary_key=True),
    Column("proposal_id", UUID(as_uuid=False), nullable=False, unique=True),
    Column("reason_code", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("fix_hint", Text, nullable=False),
    Column("condition", JSONB, nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
)


class LearnedEditStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, row: dict[str, Any]) -> bool:
        """Keep an accepted edit; False when this proposal's edit is already kept (a redelivery)."""
        added = (await self.session.execute(insert(learned_edits).values(**row).on_conflict_do_nothing()
                                            .returning(learned_edits.c.edit_id))).first()
        return added is not None

    async def of_tenant(self, tenant_id: str) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(learned_edits).where(learned_edits.c.tenant_id == tenant_id)
                                           .order_by(learned_edits.c.accepted_at))).all()
        return [dict(r._mapping) for r in rows]
