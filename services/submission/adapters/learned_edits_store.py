"""The learned edits table and its SQL (edits accepted in denials, per tenant)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, Text, exists, select
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

# Edits retired in denials (claim.scrubber_edit_retired); kept apart so a retirement that arrives before its
# acceptance still wins.
retired_learned_edits = Table(
    "retired_learned_edits", metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("proposal_id", UUID(as_uuid=False), primary_key=True),
    Column("edit_id", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("retired_by", String(120), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=False),
)


class LearnedEditStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Keep accepted edits (one statement); a proposal's edit already kept (a redelivery) is left as it is."""
        if rows:
            await self.session.execute(insert(learned_edits).values(list(rows)).on_conflict_do_nothing())

    async def retire(self, rows: Sequence[dict[str, Any]]) -> None:
        """Remember retirements (one statement); one already remembered (a redelivery) is left as it is."""
        if rows:
            await self.session.execute(insert(retired_learned_edits).values(list(rows)).on_conflict_do_nothing())

    async def in_force_by_tenant(self, tenant_ids: Collection[str]) -> dict[str, list[dict[str, Any]]]:
        """Each tenant's edits in force, oldest first, in one query (tenants with none are left out)."""
        if not tenant_ids:
            return {}
        retired = retired_learned_edits
        query = (select(learned_edits).where(learned_edits.c.tenant_id.in_(sorted(set(tenant_ids))), ~exists().where(
            retired.c.tenant_id == learned_edits.c.tenant_id, retired.c.proposal_id == learned_edits.c.proposal_id))
            .order_by(learned_edits.c.accepted_at))
        in_force: dict[str, list[dict[str, Any]]] = {}
        for row in (await self.session.execute(query)).all():
            in_force.setdefault(row.tenant_id, []).append(dict(row._mapping))
        return in_force

    async def with_retirements(self, tenant_id: str) -> list[dict[str, Any]]:
        """Every accepted edit of the tenant with its retirement (retired_at, reason, retired_by; None if in force)."""
        retired = retired_learned_edits
        query = (select(learned_edits, retired.c.retired_at, retired.c.reason.label("retirement_reason"),
                        retired.c.retired_by)
                 .outerjoin(retired, (retired.c.tenant_id == learned_edits.c.tenant_id)
                            & (retired.c.proposal_id == learned_edits.c.proposal_id))
                 .where(learned_edits.c.tenant_id == tenant_id).order_by(learned_edits.c.accepted_at))
        return [dict(r._mapping) for r in (await self.session.execute(query)).all()]
