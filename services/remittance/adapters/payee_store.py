"""Remittance's projection of tenants' payee identifiers (tenant.payee_identifiers_set from intake)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.tables import payee_identifiers, payee_registrations


class PayeeProjection:
    """Who is paid under which NPI or tax id, as intake last announced it."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def replace(self, tenant_id: str, revision: int, identifiers: Collection[tuple[str, str]]) -> bool:
        """Make the tenant's identifiers exactly these, unless a later revision was applied (False then).

        An identifier another tenant held here moves to this one: intake gives one to a second tenant only
        after the first released it, and the topic's single partition keeps that order.
        """
        newer = (await self.session.execute(
            insert(payee_registrations).values(tenant_id=tenant_id, revision=revision).on_conflict_do_update(
                index_elements=["tenant_id"], set_={"revision": revision},
                where=payee_registrations.c.revision < revision).returning(payee_registrations.c.tenant_id))).first()
        if newer is None:
            return False
        await self.session.execute(delete(payee_identifiers).where(payee_identifiers.c.tenant_id == tenant_id))
        if identifiers:
            statement = insert(payee_identifiers).values(
                [{"kind": kind, "identifier": identifier, "tenant_id": tenant_id} for kind, identifier in identifiers])
            await self.session.execute(statement.on_conflict_do_update(
                index_elements=["kind", "identifier"], set_={"tenant_id": statement.excluded.tenant_id}))
        return True
