"""Tenants and credentials: the rules of access, free of HTTP and SQL."""

from __future__ import annotations

import hashlib
import secrets

from shared.access_tokens import SCOPES
from shared.errors import DomainError
from shared.tenant_directory import TenantLimits as TenantLimits  # defined beside the tenants topic's directory

CLIENT_ID_PREFIX = "clc_"
CLIENT_SECRET_PREFIX = "cls_"


class UnknownTenant(DomainError):
    """No tenant with this id."""


class TenantExists(DomainError):
    """A tenant with this id already exists."""


class UnknownCredential(DomainError):
    """No API key or OAuth client with this id."""


class CredentialStopped(DomainError):
    """The credential was revoked or retired already; nothing brings it back."""


class SigningKeyInUse(DomainError):
    """This intake process signs tokens with the key: start it with a new key before retiring this one."""


class InvalidClient(DomainError):
    """OAuth client authentication failed (RFC 6749 invalid_client)."""


class InvalidScope(DomainError):
    """The requested scope is unknown or exceeds what the client was granted (RFC 6749 invalid_scope)."""


class UnsupportedGrantType(DomainError):
    """Only client_credentials is offered (RFC 6749 unsupported_grant_type)."""


class InvalidTokenRequest(DomainError):
    """The token request is malformed (RFC 6749 invalid_request)."""


def known_scopes(scopes: list[str] | tuple[str, ...]) -> frozenset[str]:
    """The scopes to grant a client; every one must be a scope this platform defines."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidScope(f"unknown scope(s): {' '.join(unknown)}; known: {' '.join(SCOPES)}")
    if not scopes:
        raise InvalidScope("grant at least one scope")
    return frozenset(scopes)


def requested_scopes(requested: str | None, granted: frozenset[str]) -> frozenset[str]:
    """RFC 6749 3.3: no scope asked means everything granted; asking for more than granted is refused."""
    if requested is None or not requested.strip():
        return granted
    asked = frozenset(requested.split())
    beyond = sorted(asked - granted)
    if beyond:
        raise InvalidScope(f"the client was not granted: {' '.join(beyond)}")
    return asked


def new_client_credentials() -> tuple[str, str]:
    """A fresh (client_id, client_secret); the secret is shown once and only its hash is kept."""
    return f"{CLIENT_ID_PREFIX}{secrets.token_hex(8)}", f"{CLIENT_SECRET_PREFIX}{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    """SHA-256: client secrets are 256-bit random, so a slow hash adds nothing (as for API keys)."""
    return hashlib.sha256(secret.encode()).hexdigest()
