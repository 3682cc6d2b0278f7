"""Tenant API keys, known to every service.

Intake issues and revokes keys (stored as SHA-256 hashes: keys are 256-bit random, so a slow
hash adds nothing) and publishes `tenant.api_key_issued` / `tenant.api_key_revoked` on the
tenants topic; every service projects them into its own `api_keys` table and checks bearer keys
against it. A revocation reaches every service within one consumer poll.
"""

from __future__ import annotations

import hashlib
import secrets

from fastapi import Request
from sqlalchemy import Column, DateTime, MetaData, String, Table, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS, ClaimEvent
from shared.http.problems import Unauthorized

KEY_PREFIX = "clk_"


@CONTRACTS.register
class ApiKeyIssued(ClaimEvent):
    """A tenant got a new API key (hash only)."""

    event_type = "tenant.api_key_issued"
    key_id: str
    key_hash: str
    tenant_id: str


@CONTRACTS.register
class ApiKeyRevoked(ClaimEvent):
    """A tenant's API key stops working everywhere."""

    event_type = "tenant.api_key_revoked"
    key_id: str
    tenant_id: str


def api_keys_table(metadata: MetaData) -> Table:
    return Table(
        "api_keys", metadata,
        Column("key_id", String(64), primary_key=True),
        Column("key_hash", String(64), nullable=False, unique=True),
        Column("tenant_id", String(64), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("revoked_at", DateTime(timezone=True)),
    )


def new_api_key() -> tuple[str, str]:
    """A fresh (key_id, secret key); the key is shown once and only its hash is kept."""
    key_id = secrets.token_hex(8)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def project_key_issued(session: AsyncSession, table: Table, event: ApiKeyIssued) -> None:
    await session.execute(insert(table).values(key_id=event.key_id, key_hash=event.key_hash,
                                               tenant_id=event.tenant_id).on_conflict_do_nothing())


async def project_key_revoked(session: AsyncSession, table: Table, event: ApiKeyRevoked) -> None:
    await session.execute(table.update().where(table.c.key_id == event.key_id).values(revoked_at=func.now()))


def tenant_key_handlers(table: Table) -> dict:
    """Consumer handlers that keep a service's api_keys table in step with intake."""

    async def issued(session: AsyncSession, event: ApiKeyIssued, _envelope: EventEnvelope) -> None:
        await project_key_issued(session, table, event)

    async def revoked(session: AsyncSession, event: ApiKeyRevoked, _envelope: EventEnvelope) -> None:
        await project_key_revoked(session, table, event)

    return {ApiKeyIssued.event_type: issued, ApiKeyRevoked.event_type: revoked}


class TenantAuthenticator:
    """FastAPI dependency: Bearer API key -> tenant id, or 401 problem."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], table: Table):
        self.sessions = sessions
        self.table = table

    async def __call__(self, request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthorized("send Authorization: Bearer <API key>")
        async with self.sessions() as session:
            tenant_id = (await session.execute(
                select(self.table.c.tenant_id).where(self.table.c.key_hash == hash_key(key.strip()),
                                                     self.table.c.revoked_at.is_(None)))).scalar()
        if tenant_id is None:
            raise Unauthorized("the API key is unknown or revoked")
        request.state.tenant_id = tenant_id
        return tenant_id
