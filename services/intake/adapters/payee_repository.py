"""All of intake's SQL for tenants' payee identifiers; callers own the transaction."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import payee_identifiers, payee_registrations
from services.intake.domain.payees import PayeeIdentifiers


class PayeeRegistry:
    """Which tenant each payee identifier belongs to, and each tenant's registration revision."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def next_revision(self, tenant_id: str) -> int:
        """Take the tenant's registration row (held until commit) and its next revision number."""
        return (await self.session.execute(
            insert(payee_registrations).values(tenant_id=tenant_id, revision=1).on_conflict_do_update(
                index_elements=["tenant_id"], set_={"revision": payee_registrations.c.revision + 1,
                                                    "updated_at": func.now()})
            .returning(payee_registrations.c.revision))).scalar_one()

    async def revision(self, tenant_id: str) -> int:
        """The tenant's last revision (0: never registered)."""
        found = await self.session.scalar(select(payee_registrations.c.revision).where(
            payee_registrations.c.tenant_id == tenant_id))
        return found or 0

    async def of_tenant(self, tenant_id: str) -> PayeeIdentifiers:
        rows = (await self.session.execute(select(payee_identifiers.c.kind, payee_identifiers.c.identifier)
                                           .where(payee_identifiers.c.tenant_id == tenant_id))).all()
        return PayeeIdentifiers.from_pairs((r.kind, r.identifier) for r in rows)

    async def replace(self, tenant_id: str, wanted: PayeeIdentifiers) -> set[tuple[str, str]]:
        """Make the tenant's identifiers exactly `wanted`; returns those another tenant holds (not taken).

        Insert-or-skip waits for a concurrent registration of the same identifier to commit, so of two
        tenants racing for one identifier the second always sees the first's row and is told.
        """
        pairs = sorted(wanted.pairs())
        released = delete(payee_identifiers).where(payee_identifiers.c.tenant_id == tenant_id)
        if pairs:
            released = released.where(tuple_(payee_identifiers.c.kind, payee_identifiers.c.identifier)
                                      .not_in(pairs))
        await self.session.execute(released)
        if not pairs:
            return set()
        await self.session.execute(insert(payee_identifiers).values(
            [{"kind": kind, "identifier": identifier, "tenant_id": tenant_id} for kind, identifier in pairs])
            .on_conflict_do_nothing())
        held = (await self.session.execute(select(payee_identifiers.c.kind, payee_identifiers.c.identifier).where(
            payee_identifiers.c.tenant_id != tenant_id,
            or_(*(and_(payee_identifiers.c.kind == kind, payee_identifiers.c.identifier == identifier)
                  for kind, identifier in pairs))))).all()
        return {(r.kind, r.identifier) for r in held}
