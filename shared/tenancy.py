"""Tenant API keys, known to every service.

Intake issues, retires and revokes keys (stored as SHA-256 hashes: keys are 256-bit random, so a
slow hash adds nothing) and publishes `tenant.api_key_issued` / `_retired` / `_revoked` on the
tenants topic. Every process reads that topic into memory (shared/tenant_directory.py) and checks
a bearer key there; only a key it has not heard of yet is looked up in the service's own `api_keys`
table (intake's is the source of truth, the others are projections of the topic), and what that
finds still passes the directory's tombstones. So a revocation or retirement takes effect
everywhere within REVOCATION_BOUND_SECONDS, and no fallback can revive a stopped key.

A bearer may instead be an OAuth2 access token (shared/access_tokens.py), verified locally
against the signing keys intake announced on the same topic. Either way the request gets a
Principal: the tenant, which credential spoke, and its scopes (an API key carries them all).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from sqlalchemy import Column, DateTime, MetaData, String, Table, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.access_tokens import SCOPES, InvalidAccessToken, SigningKeyRing, looks_like_jwt
from shared.events.envelope import EventEnvelope
from shared.http.problems import ProblemError, Unauthorized
from shared.tenant_directory import ApiKeyIssued as ApiKeyIssued
from shared.tenant_directory import ApiKeyRetired as ApiKeyRetired
from shared.tenant_directory import ApiKeyRevoked as ApiKeyRevoked
from shared.tenant_directory import KeyVerdict, KnownKey, TenantDirectory
from shared.tenant_event_signing import verify_tenant_event

KEY_PREFIX = "clk_"


def api_keys_table(metadata: MetaData) -> Table:
    """revoked_at is when the key stops working: in the past once revoked, in the future while it retires."""
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


def stops_by(table: Table, moment: object) -> object:
    """revoked_at brought forward to moment, never pushed back: the earliest stop of a key stands."""
    return func.least(func.coalesce(table.c.revoked_at, moment), moment)


async def project_key_issued(session: AsyncSession, table: Table, event: ApiKeyIssued) -> None:
    await session.execute(insert(table).values(key_id=event.key_id, key_hash=event.key_hash,
                                               tenant_id=event.tenant_id).on_conflict_do_nothing())


async def project_key_revoked(session: AsyncSession, table: Table, event: ApiKeyRevoked) -> None:
    await session.execute(table.update().where(table.c.key_id == event.key_id)
                          .values(revoked_at=stops_by(table, func.now())))


async def project_key_retired(session: AsyncSession, table: Table, event: ApiKeyRetired) -> None:
    """Insert the key if compaction left only its retirement, and bring its stop forward to not_after."""
    statement = insert(table).values(key_id=event.key_id, key_hash=event.key_hash, tenant_id=event.tenant_id,
                                     revoked_at=event.not_after)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.key_id], set_={"revoked_at": stops_by(table, statement.excluded.revoked_at)}))


def tenant_key_handlers(table: Table) -> dict:
    """Consumer handlers that keep a service's api_keys table in step with intake."""

    async def issued(session: AsyncSession, event: ApiKeyIssued, envelope: EventEnvelope) -> None:
        verify_tenant_event(envelope)  # a forged key is dead-lettered with the reason, never projected
        await project_key_issued(session, table, event)

    async def revoked(session: AsyncSession, event: ApiKeyRevoked, envelope: EventEnvelope) -> None:
        verify_tenant_event(envelope)
        await project_key_revoked(session, table, event)

    async def retired(session: AsyncSession, event: ApiKeyRetired, envelope: EventEnvelope) -> None:
        verify_tenant_event(envelope)
        await project_key_retired(session, table, event)

    return {ApiKeyIssued.event_type: issued, ApiKeyRevoked.event_type: revoked,
            ApiKeyRetired.event_type: retired}


class InsufficientScope(ProblemError):
    status, problem_type, title = 403, "insufficient-scope", "Insufficient scope"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant, the credential (API key id or OAuth client id) and its scopes."""

    tenant_id: str
    kind: Literal["api_key", "oauth_client"]
    credential_id: str
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        """Raise a 403 problem unless this caller holds scope."""
        if scope not in self.scopes:
            raise InsufficientScope(f"this call needs the {scope} scope", required_scope=scope)


# A token signed by a key this process has not read yet waits this long for the tenants topic backlog.
KEY_RING_WAIT_SECONDS = 5.0


class TenantAuthenticator:
    """FastAPI dependency: Bearer API key or access token -> tenant id (Principal on request.state), or 401."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], table: Table,
                 key_ring: SigningKeyRing | None = None, key_ring_ready: asyncio.Event | None = None,
                 directory: TenantDirectory | None = None):
        self.sessions = sessions
        self.table = table
        self.key_ring = key_ring or SigningKeyRing()
        self.key_ring_ready = key_ring_ready
        self.directory = directory or TenantDirectory()

    async def __call__(self, request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise Unauthorized("send Authorization: Bearer <API key or access token>")
        if looks_like_jwt(credential):
            principal = await self._from_access_token(credential)
        else:
            principal = await self._from_api_key(credential)
        request.state.principal = principal
        request.state.tenant_id = principal.tenant_id
        return principal.tenant_id

    async def _from_api_key(self, key: str) -> Principal:
        key_hash, now = hash_key(key), dt.datetime.now(dt.UTC)
        known = self.directory.api_key(key_hash, now)
        # Until the follower has read the topic's backlog a revocation may still be unread, so the
        # table confirms a key the directory thinks live; afterwards memory alone decides.
        if known is KeyVerdict.UNKNOWN or (self.key_ring_ready is not None and not self.key_ring_ready.is_set()):
            known = await self._stored_key(key_hash, now)
        if not isinstance(known, KnownKey):
            raise Unauthorized("the API key is unknown, revoked or retired")
        return Principal(known.tenant_id, "api_key", known.key_id, frozenset(SCOPES))

    async def _stored_key(self, key_hash: str, now: dt.datetime) -> KnownKey | KeyVerdict:
        """A key the tenants topic has not brought yet: the service's table, then the directory's tombstones."""
        async with self.sessions() as session:
            row = (await session.execute(
                select(self.table.c.tenant_id, self.table.c.key_id, self.table.c.revoked_at).where(
                    self.table.c.key_hash == key_hash,
                    or_(self.table.c.revoked_at.is_(None), self.table.c.revoked_at > now)))).first()
        if row is None:
            return KeyVerdict.UNKNOWN  # not remembered: a key issued a moment from now must work at once
        self.directory.learn(row.key_id, key_hash, row.tenant_id, row.revoked_at)
        return self.directory.api_key(key_hash, now)

    async def _from_access_token(self, token: str) -> Principal:
        try:
            claims = self.key_ring.verify(token)
        except InvalidAccessToken as invalid:
            if self.key_ring_ready is None or self.key_ring_ready.is_set():
                raise Unauthorized(str(invalid)) from None
            # Just started: the key may still be in the tenants topic backlog.
            try:
                await asyncio.wait_for(self.key_ring_ready.wait(), KEY_RING_WAIT_SECONDS)
                claims = self.key_ring.verify(token)
            except (TimeoutError, InvalidAccessToken):
                raise Unauthorized(str(invalid)) from None
        return Principal(claims.tenant_id, "oauth_client", claims.client_id, claims.scopes)
