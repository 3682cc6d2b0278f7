"""A tenant's coding policy: intake stores it and announces it on the tenants topic, where coding reads it.

Each change announces the whole policy (tenant.coding_policy_set, keyed by tenant), in the same
transaction as the stored row, so coding ends with every tenant's latest policy even after compaction.
A tenant that never set one has the defaults: undercoding is a finding, not a hold; with no ICD-10-CM
release for the date, only claims with a code the nearest release lacks are held.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.access_repository import AccessStore
from services.intake.adapters.coding_policy_repository import CodingPolicyStore
from services.intake.adapters.tenant_admin import announce
from services.intake.domain.access import UnknownTenant
from shared.events.tenant_events import TenantCodingPolicySet, WhenNoReleaseCovers, coding_policy_subject


@dataclass(frozen=True)
class TenantCodingPolicy:
    tenant_id: str
    hold_undercoding: bool
    when_no_release_covers: WhenNoReleaseCovers
    updated_at: dt.datetime | None  # None: never set, the defaults apply


async def _known(session: AsyncSession, tenant_id: str) -> None:
    if await AccessStore(session).tenant(tenant_id) is None:
        raise UnknownTenant(f"no tenant {tenant_id}")


async def coding_policy(session: AsyncSession, tenant_id: str) -> TenantCodingPolicy:
    """The tenant's policy as coding applies it (the defaults when it never set one)."""
    await _known(session, tenant_id)
    stored = await CodingPolicyStore(session).get(tenant_id)
    if stored is None:
        defaults = TenantCodingPolicySet(tenant_id=tenant_id)
        return TenantCodingPolicy(tenant_id, defaults.hold_undercoding, defaults.when_no_release_covers, None)
    return TenantCodingPolicy(tenant_id, stored["hold_undercoding"], stored["when_no_release_covers"],
                              stored["updated_at"])


async def set_coding_policy(session: AsyncSession, tenant_id: str, hold_undercoding: bool,
                            when_no_release_covers: WhenNoReleaseCovers) -> TenantCodingPolicy:
    """Replace the tenant's policy and announce it to coding."""
    await _known(session, tenant_id)
    stored = await CodingPolicyStore(session).save(tenant_id, hold_undercoding, when_no_release_covers)
    event = TenantCodingPolicySet(tenant_id=tenant_id, hold_undercoding=hold_undercoding,
                                  when_no_release_covers=when_no_release_covers)
    await announce(session, event, coding_policy_subject(tenant_id), tenant_id)
    return TenantCodingPolicy(tenant_id, hold_undercoding, when_no_release_covers, stored["updated_at"])
