"""Intake's store of tenants' coding policies (all SQL for the tenant_coding_policies table)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import tenant_coding_policies


class CodingPolicyStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, tenant_id: str) -> dict[str, Any] | None:
        """The tenant's stored policy, or None when it never set one."""
        row = (await self.session.execute(select(*tenant_coding_policies.c).where(
            tenant_coding_policies.c.tenant_id == tenant_id))).first()
        return dict(row._mapping) if row else None

    async def save(self, tenant_id: str, hold_undercoding: bool, when_no_release_covers: str) -> dict[str, Any]:
        """Store the tenant's whole policy, replacing the one before."""
        values = {"hold_undercoding": hold_undercoding, "when_no_release_covers": when_no_release_covers}
        row = (await self.session.execute(
            insert(tenant_coding_policies).values(tenant_id=tenant_id, **values)
            .on_conflict_do_update(index_elements=[tenant_coding_policies.c.tenant_id],
                                   set_={**values, "updated_at": func.now()})
            .returning(*tenant_coding_policies.c))).one()
        return dict(row._mapping)
