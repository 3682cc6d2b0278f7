"""Intake's access use cases: tenants, API keys, OAuth clients and access tokens.

Every change that other services must know (a key issued or revoked, a client revoked, a token
signing key) is queued on the tenants topic in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.access_repository import AccessStore
from services.intake.adapters.tenant_admin import announce, issue_key, key_exists, retire_key, revoke_key
from services.intake.domain.access import (
    CredentialStopped,
    InvalidClient,
    TenantExists,
    TenantLimits,
    UnknownCredential,
    UnknownTenant,
    hash_secret,
    known_scopes,
    new_client_credentials,
    requested_scopes,
)
from shared.access_tokens import AccessTokenClaims, OAuthClientRevoked, SigningKey, TokenSigningKeyRetired
from shared.tenancy import new_api_key
from shared.tenant_directory import TenantRegistered


async def create_tenant(session: AsyncSession, tenant_id: str, name: str,
                        limits: TenantLimits | None) -> dict[str, Any]:
    """Register a tenant, optionally with its own request budget."""
    created = await AccessStore(session).add_tenant(tenant_id, name, limits)
    if created is None:
        raise TenantExists(f"tenant {tenant_id} already exists")
    # Every service rate-limits the tenant, so every service learns its budget (keyed by tenant: latest wins).
    await announce(session, TenantRegistered(
        tenant_id=tenant_id, rate_limit_per_second=limits.per_second if limits else None,
        rate_limit_burst=limits.burst if limits else None), f"tenant:{tenant_id}", tenant_id)
    return created


async def issue_api_key(session: AsyncSession, tenant_id: str) -> tuple[str, str]:
    """A new (key_id, key) for an existing tenant; the key is returned once and stored hashed."""
    if await AccessStore(session).tenant(tenant_id) is None:
        raise UnknownTenant(f"no tenant {tenant_id}")
    key_id, key = new_api_key()
    await issue_key(session, tenant_id, key_id, key)
    return key_id, key


async def revoke_api_key(session: AsyncSession, key_id: str) -> None:
    """Stop the key working here at once and everywhere once the tenants topic is read."""
    if not await revoke_key(session, key_id):
        raise UnknownCredential(f"no API key {key_id}")


async def retire_api_key(session: AsyncSession, key_id: str, not_after: dt.datetime) -> dt.datetime:
    """Rotation's second half: the key keeps working until not_after, then stops everywhere. Returns the
    end in force (an earlier one stands)."""
    ends = await retire_key(session, key_id, not_after)
    if ends is None:
        if await key_exists(session, key_id):
            raise CredentialStopped(f"API key {key_id} has stopped already")
        raise UnknownCredential(f"no API key {key_id}")
    return ends


@dataclass(frozen=True)
class NewClient:
    client_id: str
    client_secret: str
    tenant_id: str
    scopes: frozenset[str]


async def register_client(session: AsyncSession, tenant_id: str, scopes: list[str]) -> NewClient:
    """A new OAuth client for the tenant; the secret is returned once and stored hashed."""
    granted = known_scopes(scopes)
    store = AccessStore(session)
    if await store.tenant(tenant_id) is None:
        raise UnknownTenant(f"no tenant {tenant_id}")
    client_id, secret = new_client_credentials()
    await store.add_client(client_id, tenant_id, hash_secret(secret), granted)
    return NewClient(client_id, secret, tenant_id, granted)


async def revoke_client(session: AsyncSession, client_id: str) -> None:
    """Refuse the client's secret from now on, and its unexpired tokens in every service."""
    tenant_id = await AccessStore(session).revoke_client(client_id)
    if tenant_id is None:
        raise UnknownCredential(f"no OAuth client {client_id}")
    await announce(session, OAuthClientRevoked(client_id=client_id, tenant_id=tenant_id), client_id, tenant_id)


async def issue_access_token(session: AsyncSession, signing_key: SigningKey, client_id: str, client_secret: str,
                             scope: str | None, ttl_seconds: int) -> tuple[str, AccessTokenClaims]:
    """OAuth2 client credentials grant: a signed token for a live client with the right secret."""
    client = await AccessStore(session).live_client(client_id)
    # Compare in constant time, and hash even for an unknown client so timing tells nothing.
    expected = client["secret_hash"] if client else hash_secret("")
    if not hmac.compare_digest(expected, hash_secret(client_secret)) or client is None:
        raise InvalidClient("client authentication failed")
    scopes = requested_scopes(scope, frozenset(client["scopes"].split()))
    return signing_key.sign(client["tenant_id"], client_id, scopes, ttl_seconds)


async def announce_signing_key(session: AsyncSession, signing_key: SigningKey) -> None:
    """Publish the public half of intake's token key so every service can verify its tokens."""
    await announce(session, signing_key.announcement(), f"signing-key:{signing_key.kid}", "*")


async def retire_signing_key(session: AsyncSession, kid: str, not_after: dt.datetime) -> None:
    """Tokens signed with kid stop verifying everywhere at not_after (announced apart from the key, so
    re-announcing the key can never undo it)."""
    await announce(session, TokenSigningKeyRetired(kid=kid, not_after=not_after), f"signing-key-retired:{kid}", "*")
