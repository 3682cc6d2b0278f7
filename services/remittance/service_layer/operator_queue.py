"""The operator queue: ERAs no tenant owns, because no tenant (or more than one) is paid under their payee.

Nothing of such an ERA is shown to a tenant or posted. Once the practice has registered its payee
identifiers (intake's admin API), an operator routes the ERA again: it then goes to that tenant and posts
exactly as it would have on arrival. An operator cannot hand an ERA to a tenant of their choosing: the
registration is the practice's statement that the money is theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.posting_store import PostingStore
from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.balancing import find_balance_errors
from services.remittance.domain.payee_routing import payee_of, route
from services.remittance.service_layer.posting import balance_hold_reason, post_routed
from services.remittance.service_layer.stored_eras import stored_remittance
from shared.errors import DomainError


class EraNotWaiting(DomainError):
    """No such ERA, or it already belongs to a tenant."""


class EraStillUnrouted(DomainError):
    """The payee's identifiers still name no tenant, or two; says which identifiers."""


@dataclass(frozen=True)
class Routed:
    era_id: str
    tenant_id: str
    status: str  # posted, partially_matched, unmatched, or held (unbalanced: nothing posts)


async def unrouted_eras(session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    """ERAs waiting for an operator, newest first: payer, payee, amounts and why (no patient data)."""
    return await RemittanceStore(session).unrouted_eras(limit)


async def route_era(session: AsyncSession, era_id: str) -> Routed:
    """Route a waiting ERA by today's payee registrations and post it to that tenant."""
    store, postings = RemittanceStore(session), PostingStore(session)
    era = await store.era_for_update(era_id)
    if era is None or era["tenant_id"] is not None:
        raise EraNotWaiting(f"no ERA {era_id} waiting for an operator")
    remittance = await stored_remittance(store, era["delivery_id"], era["transaction_index"])
    payee = payee_of(remittance)
    routed = route(payee, await postings.payee_owners(payee.identifiers()))
    if routed.tenant_id is None:
        raise EraStillUnrouted(routed.reason or "payee not registered")
    held = era["status"] == "held"  # unbalanced: the tenant sees it held with its reason, nothing posts
    await store.update_era(era_id, tenant_id=routed.tenant_id, payee_name=payee.name, payee_npi=payee.npi,
                           payee_tin=payee.tin, status="held" if held else "received",
                           hold_reason=balance_hold_reason(find_balance_errors(remittance)) if held else None)
    if held:
        return Routed(era_id, routed.tenant_id, "held")
    status = await post_routed(session, era_id, era["delivery_id"], era["transaction_index"], remittance,
                               routed.tenant_id)
    return Routed(era_id, routed.tenant_id, status)
