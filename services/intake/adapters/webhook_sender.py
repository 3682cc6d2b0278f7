"""Sends one outbound webhook over HTTP, signed per Standard Webhooks with the endpoint's secret(s)."""

from __future__ import annotations

import time

import httpx

from services.intake.domain.outbound_webhooks import AttemptResult, DueDelivery
from shared.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, webhook_headers

USER_AGENT = "Claimline-Webhooks/1.0"


def signed_headers(delivery: DueDelivery, body: bytes, now: float | None = None) -> dict[str, str]:
    """webhook-id (the delivery id), a fresh webhook-timestamp and one signature per live secret.

    During a secret rotation both the new and the old secret sign, so a receiver still holding
    the old one keeps verifying (the spec allows several space-separated signatures).
    """
    current, *previous = delivery.signing_secrets
    headers = webhook_headers(current, body, msg_id=delivery.delivery_id, now=now)
    timestamp = int(headers[TIMESTAMP_HEADER])
    for secret in previous:
        headers[SIGNATURE_HEADER] += " " + sign(secret, delivery.delivery_id, timestamp, body)
    return headers


class WebhookSender:
    """POSTs deliveries with one shared connection pool; never follows redirects, never reads the answer."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    @classmethod
    def with_timeout(cls, timeout_seconds: float) -> WebhookSender:
        """A sender with its own client (close it with aclose)."""
        return cls(httpx.AsyncClient(timeout=httpx.Timeout(timeout_seconds), follow_redirects=False,
                                     headers={"user-agent": USER_AGENT}))

    async def send(self, delivery: DueDelivery) -> AttemptResult:
        """One attempt: the status code answered, or the error class (never its message: it may echo the URL)."""
        body = delivery.body.encode()
        headers = {"content-type": "application/json", **signed_headers(delivery, body)}
        started = time.perf_counter()
        try:
            # streamed and closed unread: the receiver's answer body is of no use and of unbounded size
            async with self.client.stream("POST", delivery.url, content=body, headers=headers) as response:
                status_code = response.status_code
        except Exception as error:  # noqa: BLE001 - any failure (even a URL httpx rejects) is this attempt's outcome
            return AttemptResult(None, type(error).__name__, _elapsed_ms(started))
        return AttemptResult(status_code, None, _elapsed_ms(started))

    async def aclose(self) -> None:
        await self.client.aclose()


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
