"""Tenants-topic events are signed by intake and verified by every reader before anything is applied.

Why: the tenants topic carries API key hashes, OAuth client revocations and the public keys that
verify access tokens to every service. Broker ACLs let only intake's principal write it, but a
single leaked service credential, a misconfigured ACL or a replayed dead letter must still not be
able to mint an API key or a token key. So intake signs each event with an Ed25519 key only it
holds, and every reader (the key ring follower and each `*.tenant-keys` projection) refuses a
record without a valid signature from a key in its trusted list.

What is signed: a version tag and the canonical JSON of the envelope's id, type, source, subject,
tenant, time, schema version and data (keys sorted, no spaces), so the signature survives the
trip through the outbox and Kafka and any re-encoding of the JSON value. The signature and the
signing key's id travel as the CloudEvents extension headers `ce_signature` and `ce_signaturekid`.

Rotation (deploy/README.md): trust the new public key everywhere, give intake the new private key,
re-announce what the compacted topic still holds (each announcement is signed afresh), then drop
the old public key from the trusted list.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, replace
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.events.envelope import EnvelopeError, EventEnvelope

SIGNATURE = "signature"
SIGNATURE_KID = "signaturekid"
CONTEXT = b"claimline tenant event v1\n"
SIGNING_KEY_ENV = "TENANT_EVENTS_SIGNING_KEY"
TRUSTED_KEYS_ENV = "TENANT_EVENTS_TRUSTED_KEYS"


class TenantEventSignatureError(EnvelopeError):
    """A tenants-topic record whose signature is missing, malformed or not from a trusted key (never applied)."""


class TenantEventSigningKeyMissing(RuntimeError):
    """Intake was asked to publish a tenants-topic event without TENANT_EVENTS_SIGNING_KEY."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_text(key: Ed25519PublicKey) -> str:
    """base64url of the raw 32-byte public key: the form TENANT_EVENTS_TRUSTED_KEYS lists."""
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def signing_key_id(key: Ed25519PublicKey) -> str:
    """The key id carried with each signature: the first 16 hex digits of the public key's SHA-256."""
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def new_signing_key() -> tuple[str, str]:
    """A fresh (private seed, public key), both base64url, for TENANT_EVENTS_SIGNING_KEY and _TRUSTED_KEYS."""
    private = Ed25519PrivateKey.generate()
    return _b64(private.private_bytes_raw()), public_key_text(private.public_key())


def signed_bytes(envelope: EventEnvelope) -> bytes:
    """The canonical bytes a signature covers: everything the event says, nothing of its transport."""
    fields = {"id": envelope.id, "type": envelope.type, "source": envelope.source, "subject": envelope.subject,
              "tenantid": envelope.tenant_id, "time": envelope.time.isoformat(),
              "schemaversion": envelope.schema_version, "data": envelope.data}
    return CONTEXT + json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class TenantEventSigner:
    """Intake's private key: signs every event it queues for the tenants topic."""

    private_key: Ed25519PrivateKey

    @classmethod
    def from_seed(cls, seed: str) -> TenantEventSigner:
        return cls(Ed25519PrivateKey.from_private_bytes(_unb64(seed)))

    @property
    def kid(self) -> str:
        return signing_key_id(self.private_key.public_key())

    def sign(self, envelope: EventEnvelope) -> EventEnvelope:
        """The envelope with its signature and key id as extension attributes (any earlier signature replaced)."""
        unsigned = replace(envelope, extensions={k: v for k, v in envelope.extensions.items()
                                                 if k not in {SIGNATURE, SIGNATURE_KID}})
        signature = self.private_key.sign(signed_bytes(unsigned))
        return replace(unsigned, extensions={**unsigned.extensions, SIGNATURE: _b64(signature),
                                             SIGNATURE_KID: self.kid})


class TenantEventVerifier:
    """The public keys whose signatures a reader accepts; more than one while a key rotates."""

    def __init__(self, public_keys: list[str]):
        self.keys: dict[str, Ed25519PublicKey] = {}
        for text in public_keys:
            key = Ed25519PublicKey.from_public_bytes(_unb64(text))
            self.keys[signing_key_id(key)] = key

    @classmethod
    def from_setting(cls, trusted: str, signing_seed: str = "") -> TenantEventVerifier:
        """Keys from a TENANT_EVENTS_TRUSTED_KEYS value; a process that signs also trusts its own key."""
        texts = [text for text in trusted.replace(",", " ").split() if text]
        if signing_seed:
            texts.append(public_key_text(TenantEventSigner.from_seed(signing_seed).private_key.public_key()))
        return cls(texts)

    def verify(self, envelope: EventEnvelope) -> EventEnvelope:
        """The envelope when a trusted key signed exactly what it says; raises TenantEventSignatureError."""
        signature, kid = envelope.extensions.get(SIGNATURE), envelope.extensions.get(SIGNATURE_KID)
        if not signature or not kid:
            raise TenantEventSignatureError("the tenants event is not signed")
        key = self.keys.get(kid)
        if key is None:
            raise TenantEventSignatureError(f"the tenants event is signed by key {kid[:16]!r}, which is not trusted")
        try:
            unsigned = replace(envelope, extensions={k: v for k, v in envelope.extensions.items()
                                                     if k not in {SIGNATURE, SIGNATURE_KID}})
            key.verify(_unb64(signature), signed_bytes(unsigned))
        except (InvalidSignature, ValueError):
            raise TenantEventSignatureError(f"the tenants event's signature does not match key {kid}") from None
        return envelope


@lru_cache(maxsize=8)
def _verifier(trusted: str, signing_seed: str) -> TenantEventVerifier:
    return TenantEventVerifier.from_setting(trusted, signing_seed)


@lru_cache(maxsize=8)
def _signer(seed: str) -> TenantEventSigner:
    return TenantEventSigner.from_seed(seed)


def verify_tenant_event(envelope: EventEnvelope) -> EventEnvelope:
    """Verify against this process's trusted keys (TENANT_EVENTS_TRUSTED_KEYS); raises TenantEventSignatureError."""
    return _verifier(os.environ.get(TRUSTED_KEYS_ENV, ""), os.environ.get(SIGNING_KEY_ENV, "")).verify(envelope)


def sign_tenant_event(envelope: EventEnvelope) -> EventEnvelope:
    """Sign with this process's TENANT_EVENTS_SIGNING_KEY (intake's); refuses to publish unsigned."""
    seed = os.environ.get(SIGNING_KEY_ENV, "")
    if not seed:
        raise TenantEventSigningKeyMissing(f"set {SIGNING_KEY_ENV}: tenants-topic events are never published unsigned")
    return _signer(seed).sign(envelope)
