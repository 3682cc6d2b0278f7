"""Registering the payee identifiers a tenant is paid under, and announcing them to remittance.

The new set and its announcement (`tenant.payee_identifiers_set` on the tenants topic) are written in
one transaction; an identifier another tenant holds refuses the whole change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.access_repository import AccessStore
from services.intake.adapters.payee_repository import PayeeRegistry
from services.intake.adapters.tenant_admin import announce
from services.intake.domain.access import UnknownTenant
from services.intake.domain.payees import PayeeIdentifiers, PayeeIdentifierTaken, payee_identifiers
from shared.db import create_engine, session_factory, unit_of_work
from shared.events.tenant_events import PayeeIdentifiersSet


@dataclass(frozen=True)
class PayeeRegistration:
    tenant_id: str
    revision: int
    identifiers: PayeeIdentifiers

    def as_dict(self) -> dict:
        return {"tenant_id": self.tenant_id, "revision": self.revision,
                "npis": sorted(self.identifiers.npis), "tins": sorted(self.identifiers.tins)}


async def set_payee_identifiers(session: AsyncSession, tenant_id: str, npis: Iterable[str],
                                tins: Iterable[str]) -> PayeeRegistration:
    """Replace the tenant's payee identifiers; raises PayeeIdentifierTaken, InvalidPayeeIdentifier, UnknownTenant."""
    return await _register(session, tenant_id, payee_identifiers(npis, tins), keep_current=False)


async def add_payee_identifiers(session: AsyncSession, tenant_id: str, npis: Iterable[str],
                                tins: Iterable[str]) -> PayeeRegistration:
    """Add to the tenant's payee identifiers (announced only when something changed): make up's dev tenant."""
    return await _register(session, tenant_id, payee_identifiers(npis, tins), keep_current=True)


async def ensure_payee_identifiers(database_url: str, tenant_id: str, npis: list[str], tins: list[str]) -> None:
    """Idempotently add payee identifiers to tenant_id (make up's dev tenant: the demo encounters' provider)."""
    engine = create_engine(database_url, instrument=False)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            await add_payee_identifiers(session, tenant_id, npis, tins)
    finally:
        await engine.dispose()


async def registered_payee_identifiers(session: AsyncSession, tenant_id: str) -> PayeeRegistration:
    """The tenant's payee identifiers as registered now."""
    if await AccessStore(session).tenant(tenant_id) is None:
        raise UnknownTenant(f"no tenant {tenant_id}")
    registry = PayeeRegistry(session)
    return PayeeRegistration(tenant_id, await registry.revision(tenant_id), await registry.of_tenant(tenant_id))


async def _register(session: AsyncSession, tenant_id: str, wanted: PayeeIdentifiers,
                    keep_current: bool) -> PayeeRegistration:
    if await AccessStore(session).tenant(tenant_id) is None:
        raise UnknownTenant(f"no tenant {tenant_id}")
    registry = PayeeRegistry(session)
    if keep_current:
        current = await registry.of_tenant(tenant_id)
        if wanted.pairs() <= current.pairs():  # nothing new: no revision, no announcement
            return PayeeRegistration(tenant_id, await registry.revision(tenant_id), current)
    revision = await registry.next_revision(tenant_id)  # from here on, this tenant's changes take turns
    if keep_current:
        wanted = wanted | await registry.of_tenant(tenant_id)
    taken = await registry.replace(tenant_id, wanted)
    if taken:
        raise PayeeIdentifierTaken(taken)  # the caller's transaction rolls back the whole change
    event = PayeeIdentifiersSet(tenant_id=tenant_id, revision=revision, npis=sorted(wanted.npis),
                                tins=sorted(wanted.tins))
    await announce(session, event, f"payees:{tenant_id}", tenant_id)
    return PayeeRegistration(tenant_id, revision, wanted)
