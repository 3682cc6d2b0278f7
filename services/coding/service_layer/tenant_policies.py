"""Coding's projection of tenants' coding policies from intake's tenant.coding_policy_set announcements."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.policy_repository import TenantPolicyStore
from services.coding.domain.coding_policy import CodingPolicy
from shared.events.envelope import EventEnvelope
from shared.events.tenant_events import TenantCodingPolicySet
from shared.tenant_event_signing import verify_tenant_event


async def record_coding_policy(session: AsyncSession, event: TenantCodingPolicySet, envelope: EventEnvelope) -> None:
    """Keep the tenant's latest policy; claims coded after this apply it. Only intake's signed policy counts:
    a forged record is dead-lettered with the reason, never applied."""
    verify_tenant_event(envelope)
    await TenantPolicyStore(session).apply(
        event.tenant_id, CodingPolicy(event.hold_undercoding, event.when_no_release_covers), envelope.time)
