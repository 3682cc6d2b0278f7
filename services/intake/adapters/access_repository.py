"""All of intake's SQL for tenants, their API keys and OAuth clients; callers own the transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import api_keys, oauth_clients, tenants
from services.intake.domain.access import TenantLimits


class AccessStore:
    """Tenants, API keys (metadata only: hashes never leave this store) and OAuth clients."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def add_tenant(self, tenant_id: str, name: str, limits: TenantLimits | None) -> dict[str, Any] | None:
        """Insert the tenant; None when the id is taken."""
        row = (await self.session.execute(insert(tenants).values(
            tenant_id=tenant_id, name=name, rate_limit_per_second=limits.per_second if limits else None,
            rate_limit_burst=limits.burst if limits else None,
        ).on_conflict_do_nothing().returning(*tenants.c))).first()
        return dict(row._mapping) if row else None

    async def tenant(self, tenant_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(*tenants.c).where(tenants.c.tenant_id == tenant_id))).first()
        return dict(row._mapping) if row else None

    async def tenant_limits(self, tenant_id: str) -> TenantLimits | None:
        """The tenant's own request budget, or None when it uses the service default."""
        row = (await self.session.execute(select(tenants.c.rate_limit_per_second, tenants.c.rate_limit_burst)
                                          .where(tenants.c.tenant_id == tenant_id))).first()
        if row is None or row.rate_limit_per_second is None or row.rate_limit_burst is None:
            return None
        return TenantLimits(row.rate_limit_per_second, row.rate_limit_burst)

    async def api_keys(self, tenant_id: str | None) -> list[dict[str, Any]]:
        query = select(api_keys.c.key_id, api_keys.c.tenant_id, api_keys.c.created_at, api_keys.c.revoked_at)
        if tenant_id is not None:
            query = query.where(api_keys.c.tenant_id == tenant_id)
        rows = (await self.session.execute(query.order_by(api_keys.c.tenant_id, api_keys.c.created_at))).all()
        return [dict(r._mapping) for r in rows]

    async def add_client(self, client_id: str, tenant_id: str, secret_hash: str, scopes: frozenset[str]) -> None:
        await self.session.execute(insert(oauth_clients).values(
            client_id=client_id, tenant_id=tenant_id, secret_hash=secret_hash, scopes=" ".join(sorted(scopes))))

    async def live_client(self, client_id: str) -> dict[str, Any] | None:
        """The client's tenant, secret hash and scopes, unless it is unknown or revoked."""
        row = (await self.session.execute(select(
            oauth_clients.c.client_id, oauth_clients.c.tenant_id, oauth_clients.c.secret_hash, oauth_clients.c.scopes,
        ).where(oauth_clients.c.client_id == client_id, oauth_clients.c.revoked_at.is_(None)))).first()
        return dict(row._mapping) if row else None

    async def revoke_client(self, client_id: str) -> str | None:
        """Mark the client revoked (the first revocation's time stands); its tenant, or None when unknown."""
        return (await self.session.execute(oauth_clients.update().where(oauth_clients.c.client_id == client_id)
                                           .values(revoked_at=func.coalesce(oauth_clients.c.revoked_at, func.now()))
                                           .returning(oauth_clients.c.tenant_id))).scalar()

    async def clients(self, tenant_id: str | None) -> list[dict[str, Any]]:
        query = select(oauth_clients.c.client_id, oauth_clients.c.tenant_id, oauth_clients.c.scopes,
                       oauth_clients.c.created_at, oauth_clients.c.revoked_at)
        if tenant_id is not None:
            query = query.where(oauth_clients.c.tenant_id == tenant_id)
        rows = (await self.session.execute(query.order_by(oauth_clients.c.tenant_id,
                                                          oauth_clients.c.created_at))).all()
        return [dict(r._mapping) for r in rows]
