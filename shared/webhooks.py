"""Standard Webhooks (standardwebhooks.com) signing and verification.

The signed content is "{webhook-id}.{webhook-timestamp}.{body}"; the signature is
"v1," + base64(HMAC-SHA256(key, content)). A secret "whsec_<base64>" carries the key in
base64; any other secret string is used as its UTF-8 bytes. The webhook-signature header
may list several space-separated signatures (secret rotation); one match is enough.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
import uuid
from collections.abc import Mapping
from enum import StrEnum

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
# Seconds since the epoch fit in 11 digits until the year 5138; a longer value is not a time, and
# int() of thousands of digits is slow and then refused (ValueError), which must not become a 500.
MAX_TIMESTAMP_DIGITS = 12


class VerificationFailure(StrEnum):
    """Why a webhook did not verify."""

    MISSING_HEADER = "missing_header"
    BAD_TIMESTAMP = "bad_timestamp"
    OUTSIDE_TOLERANCE = "outside_tolerance"
    NO_MATCHING_SIGNATURE = "no_matching_signature"


class WebhookVerificationError(ValueError):
    """A webhook did not verify; reason says which check failed."""

    def __init__(self, reason: VerificationFailure, message: str):
        self.reason = reason
        super().__init__(f"{reason.value}: {message}")


def signing_key(secret: str) -> bytes:
    """The HMAC key a secret stands for: base64-decoded after "whsec_", else its UTF-8 bytes."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
        except binascii.Error as error:
            # a configuration mistake, not a bad webhook: plain ValueError on purpose
            raise ValueError("webhook secret after 'whsec_' is not valid base64") from error
    return secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The "v1,<base64>" signature of one message, with the first secret when several are set (rotation)."""
    secret = secret.split()[0] if secret.split() else secret
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def new_message_id() -> str:
    """A fresh webhook-id; keep it across retries of the same message."""
    return f"msg_{uuid.uuid4().hex}"


def webhook_headers(
    secret: str, body: bytes, msg_id: str | None = None, now: int | float | None = None
) -> dict[str, str]:
    """The webhook-id, webhook-timestamp and webhook-signature headers for body."""
    message_id = msg_id or new_message_id()
    timestamp = int(time.time() if now is None else now)
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, message_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | float | None = None,
) -> None:
    """Return when one signature matches; raise WebhookVerificationError otherwise."""
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id, raw_timestamp, signatures = (
        _required(lowered, name) for name in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)
    )
    timestamp = _timestamp(raw_timestamp)
    current = int(time.time() if now is None else now)
    if abs(current - timestamp) > tolerance_seconds:
        raise WebhookVerificationError(
            VerificationFailure.OUTSIDE_TOLERANCE,
            f"timestamp is {current - timestamp} s from now, tolerance is {tolerance_seconds} s",
        )
    # During a rotation the setting holds "new old": a sender may sign with either until it moves.
    expected = [sign(one, msg_id, timestamp, body).encode("ascii") for one in secret.split()]
    for candidate in signatures.split():
        version, _, _ = candidate.partition(",")
        # other versions (v1a asymmetric signatures) are skipped, as the spec asks
        if version == SIGNATURE_VERSION and any(hmac.compare_digest(candidate.encode(), e) for e in expected):
            return
    raise WebhookVerificationError(
        VerificationFailure.NO_MATCHING_SIGNATURE, "no v1 signature matches the body"
    )


def _required(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value:
        raise WebhookVerificationError(VerificationFailure.MISSING_HEADER, f"header {name} is missing")
    return value


def _timestamp(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_TIMESTAMP_DIGITS:
        raise WebhookVerificationError(
            VerificationFailure.BAD_TIMESTAMP, "webhook-timestamp must be integer seconds since the epoch"
        )
    return int(raw)
