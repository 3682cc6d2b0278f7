"""Receiving Standard Webhooks: verify the signature over the raw body before reading anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from shared.http.json_body import load_json
from shared.http.problems import ProblemError, Unauthorized
from shared.http.request_body import MIB, BodyRules
from shared.webhooks import WebhookVerificationError, verify

WEBHOOK_PATH = "/v1/webhooks/clearinghouse"
# An X12 file in a JSON string: the readers refuse more than MAX_SEGMENTS segments (about 6 MB of
# real 835 or 837), so a larger body is never worth reading, let alone hashing for its signature.
MAX_WEBHOOK_BYTES = 8 * MIB
WEBHOOK_BODY_RULES = {WEBHOOK_PATH: BodyRules(max_bytes=MAX_WEBHOOK_BYTES)}


class MalformedWebhook(ProblemError):
    status, problem_type, title = 400, "malformed-webhook", "Malformed webhook payload"


@dataclass(frozen=True)
class VerifiedWebhook:
    delivery_id: str
    type: str
    data: dict[str, Any]


async def verified_webhook(request: Request) -> VerifiedWebhook:
    """The delivery, once its signature and timestamp check out; 401 otherwise, and nothing is recorded."""
    body = await request.body()
    secret = request.app.state.runtime.settings.webhook_secret
    try:
        verify(secret, request.headers, body)
    except WebhookVerificationError as error:
        raise Unauthorized(f"webhook signature rejected: {error}") from None
    payload = load_json(body)  # 400 for bytes that are not JSON or nest too deep, before anything else
    try:
        kind, data = payload["type"], payload["data"]
        if not isinstance(kind, str) or not isinstance(data, dict):
            raise TypeError
    except (KeyError, TypeError):
        raise MalformedWebhook("the body must be JSON with a string `type` and an object `data`") from None
    return VerifiedWebhook(request.headers["webhook-id"], kind, data)
