"""Coding's projection of tenants' coding policies on real PostgreSQL: the latest announcement wins, whatever
order the tenants topic is read in again (a rebuild reads it from the start)."""

from __future__ import annotations

import datetime as dt
import uuid

from services.coding.adapters.policy_repository import TenantPolicyStore
from services.coding.domain.coding_policy import DEFAULT_POLICY, CodingPolicy
from shared.db import create_engine, session_factory, unit_of_work

STRICT = CodingPolicy(hold_undercoding=True, when_no_release_covers="hold_all")
NOON = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


async def test_an_older_announcement_never_replaces_a_newer_policy(isolated) -> None:
    engine = create_engine(isolated.database_url, instrument=False, pool_size=1)
    sessions = session_factory(engine)
    tenant, other = f"t-{uuid.uuid4().hex[:8]}", f"t-{uuid.uuid4().hex[:8]}"
    try:
        async with unit_of_work(sessions) as session:
            assert await TenantPolicyStore(session).policy_for(tenant) == DEFAULT_POLICY  # never set
            await TenantPolicyStore(session).apply(tenant, STRICT, NOON)
        async with unit_of_work(sessions) as session:
            await TenantPolicyStore(session).apply(tenant, DEFAULT_POLICY, NOON - dt.timedelta(minutes=1))
        async with unit_of_work(sessions) as session:
            assert await TenantPolicyStore(session).policy_for(tenant) == STRICT
            assert await TenantPolicyStore(session).policies_for({tenant, other}) == {tenant: STRICT,
                                                                                      other: DEFAULT_POLICY}
            await TenantPolicyStore(session).apply(tenant, DEFAULT_POLICY, NOON + dt.timedelta(minutes=1))
        async with unit_of_work(sessions) as session:
            assert await TenantPolicyStore(session).policy_for(tenant) == DEFAULT_POLICY
    finally:
        await engine.dispose()
