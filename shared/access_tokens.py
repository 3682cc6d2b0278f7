"""OAuth2 access tokens: EdDSA-signed JWTs that intake issues and every service verifies on its own.

Why Ed25519 and not a shared HS256 secret: only intake holds the private key, so no other
service (or a leak of its configuration) can mint tokens. Intake announces each public key on the
compacted tenants topic (`tenant.token_signing_key_published`, keyed by kid); every service reads
that topic from its beginning into an in-memory key ring, so it verifies tokens without calling
intake and without any per-service configuration. Revoking an OAuth client travels the same way
(`tenant.oauth_client_revoked`), so its unexpired tokens stop working everywhere too, and so does
retiring a signing key (`tenant.token_signing_key_retired`, with the moment it stops verifying).

Scopes are few and name what a caller may change; every route declares the one it needs
(shared/http/access.py), and an API key carries them all.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS, ClaimEvent

ISSUER = "claimline-intake"
AUDIENCE = "claimline"
ALGORITHM = "EdDSA"
CLOCK_LEEWAY_SECONDS = 10

ENCOUNTERS_WRITE = "encounters:write"
CLAIMS_READ = "claims:read"
CLAIMS_WRITE = "claims:write"
PAYMENTS_WRITE = "payments:write"
CODING_REVIEW = "coding:review"
SCRUBBER_MANAGE = "scrubber:manage"
WEBHOOKS_MANAGE = "webhooks:manage"
# The whole vocabulary, as the OpenAPI document and the admin API describe it.
SCOPE_DESCRIPTIONS = {
    CLAIMS_READ: "read the tenant's claims and everything about them (each PHI read is audited)",
    ENCOUNTERS_WRITE: "submit encounters (JSON, FHIR, X12 837P) and correct a claim's encounter",
    CLAIMS_WRITE: "change a claim's course: replacement and void, denial corrections, appeals, the denial "
                  "work queue, status-inquiry sweeps",
    PAYMENTS_WRITE: "move money: patient payments and refunds, statements, matching ERA claim payments, "
                    "requesting and approving write-offs",
    CODING_REVIEW: "work the coder review queue: read the clinical note, take items, decide on codes, resolve",
    SCRUBBER_MANAGE: "accept, reject and retire the pre-submission edits proposed from denial patterns",
    WEBHOOKS_MANAGE: "register, rotate, list and remove outbound webhook endpoints and replay their deliveries",
}
SCOPES = tuple(SCOPE_DESCRIPTIONS)


class InvalidAccessToken(ValueError):
    """A bearer token that is not a valid, current access token (the reason is safe to show)."""


@CONTRACTS.register
class TokenSigningKeyPublished(ClaimEvent):
    """Intake signs access tokens with the private half of this key."""

    event_type = "tenant.token_signing_key_published"
    kid: str
    public_key: str  # base64url of the raw 32-byte Ed25519 public key


@CONTRACTS.register
class OAuthClientRevoked(ClaimEvent):
    """An OAuth client's secret and every token issued to it stop working everywhere."""

    event_type = "tenant.oauth_client_revoked"
    client_id: str
    tenant_id: str


@CONTRACTS.register
class TokenSigningKeyRetired(ClaimEvent):
    """Tokens signed with this key stop verifying everywhere at not_after (keyed apart from the
    announcement, so a later re-announcement can never compact the retirement away)."""

    event_type = "tenant.token_signing_key_retired"
    kid: str
    not_after: dt.datetime


@dataclass(frozen=True)
class AccessTokenClaims:
    """What a verified token says: whose it is and what it may do."""

    tenant_id: str
    client_id: str
    scopes: frozenset[str]
    token_id: str
    expires_at: dt.datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    """The 32 bytes of an Ed25519 public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A stable kid: the first 16 hex digits of the public key's SHA-256."""
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    """Intake's private signing key with its kid."""

    private_key: Ed25519PrivateKey
    kid: str

    @classmethod
    def from_setting(cls, seed: str) -> SigningKey:
        """The configured key (base64url of a 32-byte seed), or a fresh one when the setting is empty."""
        private_key = Ed25519PrivateKey.from_private_bytes(_unb64(seed)) if seed else Ed25519PrivateKey.generate()
        return cls(private_key, key_id(private_key.public_key()))

    def announcement(self) -> TokenSigningKeyPublished:
        """The event that lets every service verify tokens signed with this key."""
        return TokenSigningKeyPublished(kid=self.kid, public_key=_b64(raw_public_key(self.private_key.public_key())))

    def sign(self, tenant_id: str, client_id: str, scopes: frozenset[str], ttl_seconds: int,
             now: dt.datetime | None = None) -> tuple[str, AccessTokenClaims]:
        """A signed access token and what it carries."""
        issued = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        claims = AccessTokenClaims(tenant_id, client_id, scopes, uuid.uuid4().hex,
                                   issued + dt.timedelta(seconds=ttl_seconds))
        payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": client_id, "client_id": client_id,
                   "tenant_id": tenant_id, "scope": " ".join(sorted(scopes)), "jti": claims.token_id,
                   "iat": issued, "nbf": issued, "exp": claims.expires_at}
        return jwt.encode(payload, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid}), claims


class SigningKeyRing:
    """The public keys and client revocations a service learnt from the tenants topic."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PublicKey] = {}
        self.revoked_clients: set[str] = set()
        # kid -> when it stops verifying; a tombstone no later announcement of the kid undoes
        self.retired: dict[str, dt.datetime] = {}

    def apply(self, envelope: EventEnvelope) -> None:
        """Take in one tenants-topic event; other event types are not the ring's business."""
        if envelope.type == TokenSigningKeyPublished.event_type:
            published = TokenSigningKeyPublished.model_validate(envelope.data)
            self.add(published.kid, published.public_key)
        elif envelope.type == TokenSigningKeyRetired.event_type:
            retired = TokenSigningKeyRetired.model_validate(envelope.data)
            self.retire(retired.kid, retired.not_after)
        elif envelope.type == OAuthClientRevoked.event_type:
            self.revoked_clients.add(OAuthClientRevoked.model_validate(envelope.data).client_id)

    def add(self, kid: str, public_key: str) -> None:
        self.keys[kid] = Ed25519PublicKey.from_public_bytes(_unb64(public_key))

    def retire(self, kid: str, not_after: dt.datetime) -> None:
        """The key stops verifying at not_after; an earlier retirement of the same key stands."""
        current = self.retired.get(kid)
        self.retired[kid] = not_after if current is None else min(current, not_after)

    def is_retired(self, kid: str, now: dt.datetime | None = None) -> bool:
        retired_at = self.retired.get(kid)
        return retired_at is not None and (now or dt.datetime.now(dt.UTC)) >= retired_at

    def verify(self, token: str) -> AccessTokenClaims:
        """The token's claims when its signature, issuer, audience and lifetime hold, its signing key is
        not retired and its client is live."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise InvalidAccessToken("the access token is malformed") from None
        public_key = self.keys.get(kid) if isinstance(kid, str) else None
        if public_key is None:
            raise InvalidAccessToken("the access token was signed by an unknown key")
        if self.is_retired(kid):
            raise InvalidAccessToken("the access token was signed by a retired key")
        try:
            payload = jwt.decode(
                token, public_key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                leeway=CLOCK_LEEWAY_SECONDS, options={"require": ["exp", "iat", "jti", "sub", "aud", "iss"]})
        except jwt.ExpiredSignatureError:
            raise InvalidAccessToken("the access token has expired") from None
        except jwt.PyJWTError:
            raise InvalidAccessToken("the access token is not valid") from None
        tenant_id, client_id, scope = payload.get("tenant_id"), payload.get("client_id"), payload.get("scope", "")
        if not isinstance(tenant_id, str) or not isinstance(client_id, str) or not isinstance(scope, str):
            raise InvalidAccessToken("the access token lacks its tenant, client or scope")
        if client_id in self.revoked_clients:
            raise InvalidAccessToken("the access token's client was revoked")
        return AccessTokenClaims(tenant_id, client_id, frozenset(scope.split()), str(payload["jti"]),
                                 dt.datetime.fromtimestamp(payload["exp"], dt.UTC))


def looks_like_jwt(token: str) -> bool:
    """A compact JWS has three dot-separated parts; our API keys never contain a dot."""
    return token.count(".") == 2
