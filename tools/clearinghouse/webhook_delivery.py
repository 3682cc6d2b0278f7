"""Signed webhook delivery with retries, and the background jobs that run the deliveries.

Body: {"type": "x12.999" | "x12.277ca" | "x12.835", "timestamp": ISO 8601, "data": {"x12": raw text,
"interchange_control_number": ISA13 of data.x12, "source_interchange_control_number": ISA13 of the
837 answered (null for an injected ERA), "source_idempotency_key": the request's Idempotency-Key}}.
Each message keeps one webhook-id across retries and is re-signed per attempt with a fresh
timestamp, so a retry minutes later still passes the receiver's tolerance check.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.webhooks import new_message_id, webhook_headers

log = logging.getLogger("tools.clearinghouse.webhooks")

TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})


def trace_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The W3C trace context of an inbound request, to send on with every webhook it causes."""
    traceparent = headers.get("traceparent", "").strip().lower()
    if not TRACEPARENT.match(traceparent):
        return {}
    context = {"traceparent": traceparent}
    if headers.get("tracestate"):
        context["tracestate"] = headers["tracestate"]
    return context


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: initial delay doubling up to the maximum, for at most the window."""

    initial_seconds: float = 0.2
    maximum_seconds: float = 5.0
    give_up_after_seconds: float = 600.0


@dataclass(frozen=True, slots=True)
class WebhookMessage:
    """One webhook; its id and body stay the same across retries."""

    webhook_id: str
    event_type: str
    url: str
    body: bytes
    trace: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class DeliveryRecord:
    webhook_id: str
    event_type: str
    url: str
    status: str = "pending"  # pending, delivered, failed
    attempts: int = 0
    last_error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The delivery as GET /v1/deliveries lists it."""
        return {
            "webhook_id": self.webhook_id,
            "type": self.event_type,
            "url": self.url,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
        }


def webhook_message(
    url: str, event_type: str, data: dict[str, Any], trace: dict[str, str], now: dt.datetime
) -> WebhookMessage:
    """A message with the {"type", "timestamp", "data"} JSON body the receivers expect."""
    payload = {"type": event_type, "timestamp": now.isoformat(), "data": data}
    body = json.dumps(payload, separators=(",", ":")).encode()
    return WebhookMessage(new_message_id(), event_type, url, body, dict(trace))


class WebhookSender:
    """Delivers signed webhooks and keeps a record of every delivery."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        secret: str,
        policy: RetryPolicy,
        sleep: Callable[[float], Coroutine[Any, Any, None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.client = client
        self.secret = secret
        self.policy = policy
        self.sleep = sleep
        self.monotonic = monotonic
        self.deliveries: dict[str, DeliveryRecord] = {}

    async def deliver(self, message: WebhookMessage) -> bool:
        """POST until a 2xx, a 4xx that retrying cannot fix, or the retry window closes."""
        record = DeliveryRecord(message.webhook_id, message.event_type, message.url)
        self.deliveries[message.webhook_id] = record
        deadline = self.monotonic() + self.policy.give_up_after_seconds
        delay = self.policy.initial_seconds
        while True:
            record.attempts += 1
            retry_after = await self._attempt(message, record)
            if record.status != "pending":
                return record.status == "delivered"
            wait = max(delay, retry_after or 0.0)
            if self.monotonic() + wait > deadline:
                record.status = "failed"
                log.warning(
                    "webhook %s %s gave up after %d attempts",
                    message.webhook_id,
                    message.event_type,
                    record.attempts,
                )
                return False
            await self.sleep(wait)
            delay = min(delay * 2, self.policy.maximum_seconds)

    async def _attempt(self, message: WebhookMessage, record: DeliveryRecord) -> float | None:
        headers = {"content-type": "application/json", **message.trace}
        headers.update(webhook_headers(self.secret, message.body, msg_id=message.webhook_id))
        try:
            response = await self.client.post(message.url, content=message.body, headers=headers)
        except httpx.HTTPError as error:
            record.last_error = type(error).__name__
            return None
        if response.is_success:
            record.status = "delivered"
            log.info(
                "webhook %s %s delivered (attempt %d)",
                message.webhook_id,
                message.event_type,
                record.attempts,
            )
            return None
        record.last_error = f"HTTP {response.status_code}"
        if 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_CLIENT_ERRORS:
            record.status = "failed"
            log.warning(
                "webhook %s %s refused with HTTP %d, not retried",
                message.webhook_id,
                message.event_type,
                response.status_code,
            )
            return None
        return _retry_after_seconds(response)


def _retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


class BackgroundJobs:
    """The app's task queue: jobs run concurrently, are awaited on drain and cancelled on close."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, job: Coroutine[Any, Any, None], name: str) -> None:
        """Run job in the background."""
        task = asyncio.create_task(job, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background job %s failed", task.get_name(), exc_info=task.exception())

    async def drain(self) -> None:
        """Wait until no job is left, including jobs started while waiting."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel whatever is still running."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @property
    def pending(self) -> int:
        """Number of jobs still running."""
        return len(self._tasks)
