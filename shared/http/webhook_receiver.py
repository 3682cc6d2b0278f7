"""Receiving Standard Webhooks: verify the signature over the raw body before reading anything."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from shared.http.problems import ProblemError, Unauthorized
from shared.webhooks import WebhookVerificationError, verify


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
    try:
        payload = json.loads(body)
        kind, data = payload["type"], payload["data"]
        if not isinstance(kind, str) or not isinstance(data, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise MalformedWebhook("the body must be JSON with a string `type` and an object `data`") from None
    return VerifiedWebhook(request.headers["webhook-id"], kind, data)
