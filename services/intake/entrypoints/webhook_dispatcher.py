"""The loop that sends due outbound webhooks: take what is due, send each on its own, settle in batches.

Each send runs as its own task, so one slow or unreachable receiver never holds up the others
(up to `max_in_flight` at once, `max_in_flight_per_tenant` of them for one tenant, so one tenant's
backlog cannot take every slot, and `max_in_flight_per_endpoint` to one endpoint); finished
attempts are recorded together, one transaction per round. An endpoint whose last attempt
failed gets one send at a time until it answers 2xx again: a receiver that is down (or a host
that never resolves) cannot take every connection and resolver thread while healthy receivers
wait, and when it comes back its backlog flows at full speed.

Several intake instances run this loop at once: SKIP LOCKED and a lease keep them off each
other's rows. At-least-once: an instance that dies mid-send, or fails to record an attempt,
leaves its rows to come due again when the lease runs out, and the receiver drops the duplicate
by its webhook-id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter

from opentelemetry import propagate, trace
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.adapters.webhook_sender import WebhookSender
from services.intake.domain.outbound_webhooks import AttemptResult, DueDelivery, Outcome, RetrySchedule
from services.intake.domain.webhook_targets import TargetRules
from services.intake.service_layer.webhook_deliveries import settle_attempts, take_due_deliveries
from shared.db import unit_of_work
from shared.metrics import meter
from shared.telemetry import claim_span_attributes

log = logging.getLogger(__name__)
delivery_attempts = meter.create_counter(
    "claimline.webhook.delivery_attempts", unit="{attempt}",
    description="Outbound webhook attempts by outcome (delivered, retry, expired, ...): failures are the rest")
tracer = trace.get_tracer(__name__)
FinishedAttempt = tuple[DueDelivery, AttemptResult, dt.datetime]


class OutboundWebhookSettings(BaseSettings):
    """OUTBOUND_WEBHOOK_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="OUTBOUND_WEBHOOK_", env_file=None, extra="ignore")

    backoff_scale: float = Field(default=1.0, gt=0, description="multiplies every retry delay and the 24 h window")
    poll_seconds: float = Field(default=0.5, gt=0, description="pause when nothing is due")
    batch_size: int = Field(default=100, ge=1, description="deliveries taken per round")
    max_in_flight: int = Field(default=200, ge=1, description="sends under way at once, per instance")
    max_in_flight_per_tenant: int = Field(default=50, ge=1, description="of those, for one tenant")
    max_in_flight_per_endpoint: int = Field(default=20, ge=1, description="of those, to one endpoint")
    timeout_seconds: float = Field(default=10.0, gt=0, description="one attempt's time limit, all of it: "
                                   "lookup, connect, TLS, sending, reading the status line")
    lease_seconds: float = Field(default=120.0, gt=0, description="how long a taken delivery is ours")
    max_endpoints_per_tenant: int = Field(default=20, ge=1, description="endpoints a tenant may register")
    development: bool = Field(default=False, description="allow http and loopback or private receivers: the "
                              "local stack and the tests only; never metadata or link-local addresses")

    def schedule(self) -> RetrySchedule:
        return RetrySchedule(scale=self.backoff_scale)

    def target_rules(self) -> TargetRules:
        return TargetRules(development=self.development)


class WebhookDispatcher:
    """Sends due deliveries until stopped; survives database and network outages by waiting."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: OutboundWebhookSettings,
                 sender: WebhookSender | None = None):
        self.sessions = sessions
        self.settings = settings
        self.schedule = settings.schedule()
        self.sender = sender
        self._in_flight: set[asyncio.Task[None]] = set()
        self._sending_to: Counter[str] = Counter()  # endpoint id -> sends under way
        self._sending_for: Counter[str] = Counter()  # tenant id -> sends under way
        self._failing: set[str] = set()  # endpoints whose last attempt here did not deliver
        self._finished: list[FinishedAttempt] = []
        self._wake = asyncio.Event()
        self._stopping = False

    async def start_due(self) -> int:
        """Take due deliveries up to the free capacity and start sending each; returns how many started."""
        capacity = min(self.settings.batch_size, self.settings.max_in_flight - len(self._in_flight))
        if capacity <= 0:
            return 0
        per_endpoint = self.settings.max_in_flight_per_endpoint
        allowances = {endpoint: max(0, (1 if endpoint in self._failing else per_endpoint) - self._sending_to[endpoint])
                      for endpoint in self._failing | set(self._sending_to)}
        per_tenant = self.settings.max_in_flight_per_tenant
        tenant_allowances = {tenant: max(0, per_tenant - sending) for tenant, sending in self._sending_for.items()}
        async with unit_of_work(self.sessions) as session:
            due = await take_due_deliveries(session, _now(), capacity,
                                            dt.timedelta(seconds=self.settings.lease_seconds),
                                            per_endpoint=per_endpoint, allowances=allowances,
                                            per_tenant=per_tenant, tenant_allowances=tenant_allowances)
        for delivery in due:
            self._sending_to[delivery.endpoint_id] += 1
            self._sending_for[delivery.tenant_id] += 1
            task = asyncio.create_task(self._send(delivery), name=f"webhook {delivery.delivery_id}")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(due)

    async def settle_finished(self) -> int:
        """Record every finished attempt in one transaction; returns how many."""
        # Taken off the list first: if the transaction fails they are not recorded, their leases run
        # out and they are sent again under the same webhook-ids.
        finished, self._finished = self._finished, []
        if not finished:
            return 0
        async with unit_of_work(self.sessions) as session:
            outcomes = await settle_attempts(session, finished, self.schedule)
        for (delivery, result, _), outcome in zip(finished, outcomes, strict=True):
            if outcome is Outcome.RETRY or outcome is Outcome.EXPIRED:
                self._failing.add(delivery.endpoint_id)
            else:
                self._failing.discard(delivery.endpoint_id)
            delivery_attempts.add(1, {"outcome": outcome.value})
            if outcome is not Outcome.DELIVERED:
                log.warning("outbound webhook attempt failed", extra={
                    "delivery_id": delivery.delivery_id, "endpoint_id": delivery.endpoint_id,
                    "status_code": result.status_code, "error": result.error, "outcome": outcome.value})
        return len(finished)

    async def _send(self, delivery: DueDelivery) -> None:
        assert self.sender is not None
        parent = propagate.extract({"traceparent": delivery.traceparent} if delivery.traceparent else {})
        attributes = {**claim_span_attributes(delivery.claim_id, delivery.tenant_id),
                      "webhook.id": delivery.delivery_id, "webhook.endpoint_id": delivery.endpoint_id}
        try:
            with tracer.start_as_current_span("deliver outbound webhook", context=parent,
                                              attributes=attributes) as span:
                attempted_at = _now()
                result = await self.sender.send(delivery)
                if result.status_code is not None:
                    span.set_attribute("http.response.status_code", result.status_code)
                if result.error is not None:
                    span.set_status(trace.Status(trace.StatusCode.ERROR, result.error))
        finally:
            for sending, key in ((self._sending_to, delivery.endpoint_id), (self._sending_for, delivery.tenant_id)):
                sending[key] -= 1
                if not sending[key]:
                    del sending[key]
        self._finished.append((delivery, result, attempted_at))
        self._wake.set()

    async def run(self) -> None:
        """Settle, take, send, until stopped; waits poll_seconds (or for a send to finish) when idle."""
        owns_sender = self.sender is None
        if self.sender is None:
            self.sender = WebhookSender.checked(self.settings.target_rules(), self.settings.timeout_seconds,
                                                max_connections=self.settings.max_in_flight)
        pause = self.settings.poll_seconds
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    await self.settle_finished()
                    started = await self.start_due()
                    pause = self.settings.poll_seconds
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # noqa: BLE001 - database down: the rows wait, so do we
                    log.warning("outbound webhook round failed", extra={"error": type(error).__name__})
                    started, pause = 0, min(max(pause * 2, 0.5), 10.0)
                if started < self.settings.batch_size:
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=pause)
                    except TimeoutError:
                        pass
            await asyncio.gather(*self._in_flight, return_exceptions=True)
            await self.settle_finished()
        finally:
            for task in self._in_flight:
                task.cancel()
            await asyncio.gather(*self._in_flight, return_exceptions=True)
            if owns_sender:
                await self.sender.aclose()
                self.sender = None

    def stop(self) -> None:
        """Finish the sends under way, record them, and return from run()."""
        self._stopping = True
        self._wake.set()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
