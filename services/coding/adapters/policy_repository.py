"""Coding's SQL for tenants' coding policies, projected from intake's tenant.coding_policy_set."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.tables import tenant_coding_policies
from services.coding.domain.coding_policy import DEFAULT_POLICY, CodingPolicy

POLICIES = tenant_coding_policies


class TenantPolicyStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def policy_for(self, tenant_id: str) -> CodingPolicy:
        """The tenant's policy, or the defaults when it never set one."""
        row = (await self.session.execute(select(POLICIES.c.hold_undercoding, POLICIES.c.when_no_release_covers)
                                          .where(POLICIES.c.tenant_id == tenant_id))).first()
        if row is None:
            return DEFAULT_POLICY
        return CodingPolicy(row.hold_undercoding, row.when_no_release_covers)

    async def policies_for(self, tenant_ids: set[str]) -> dict[str, CodingPolicy]:
        """Every given tenant's policy in one statement (for a batch of claims), the defaults for the rest."""
        rows = (await self.session.execute(select(*POLICIES.c).where(POLICIES.c.tenant_id.in_(tenant_ids)))).all()
        found = {row.tenant_id: CodingPolicy(row.hold_undercoding, row.when_no_release_covers) for row in rows}
        return {tenant_id: found.get(tenant_id, DEFAULT_POLICY) for tenant_id in tenant_ids}

    async def apply(self, tenant_id: str, policy: CodingPolicy, announced_at: dt.datetime) -> None:
        """Keep the policy unless a later announcement is already stored (the topic is read again from the start
        after a rebuild; an older announcement then changes nothing)."""
        values = {"hold_undercoding": policy.hold_undercoding,
                  "when_no_release_covers": policy.when_no_release_covers, "announced_at": announced_at}
        await self.session.execute(
            insert(POLICIES).values(tenant_id=tenant_id, **values)
            .on_conflict_do_update(index_elements=[POLICIES.c.tenant_id], set_=values,
                                   where=POLICIES.c.announced_at <= announced_at))
