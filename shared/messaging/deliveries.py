"""What a consumer hands its handlers: deliveries (decoded events with their origin and trace context), the
unit of work they write through, and the handler shapes.

A handler takes a whole batch (`BatchHandler.apply(uow, deliveries)`) and writes one statement per table
for it; CPU-heavy work goes in an optional `prepare(deliveries)`, which runs in a worker thread before the
transaction opens. A plain per-event function `(session, event, envelope)` is still accepted and run
event by event inside the batch's transaction (`EachEvent`): fine for rare events, not for hot ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import EventEnvelope, Headers
from shared.events.registry import ClaimEvent, ContractRegistry
from shared.messaging.outbox import PendingEvent, append_events, enqueue
from shared.messaging.tables import MessagingTables
from shared.telemetry import current_traceparent

Handler = Callable[[AsyncSession, Any, EventEnvelope], Awaitable[None]]


class Delivery:
    """One consumed event: its envelope, its typed event (decoded and upcast on first use), where it came
    from, and the trace context of the claim it belongs to."""

    __slots__ = ("envelope", "topic", "partition", "offset", "traceparent", "_registry", "_event")

    def __init__(self, envelope: EventEnvelope, registry: ContractRegistry, *, topic: str, partition: int,
                 offset: int, traceparent: str | None):
        self.envelope = envelope
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.traceparent = traceparent
        self._registry = registry
        self._event: ClaimEvent | None = None

    @property
    def event(self) -> Any:
        """The typed, current-version event; raises EventContractError (the event is dead-lettered) if invalid.

        Decoded lazily: a handler that reads only the envelope never pays for validating a whole encounter."""
        if self._event is None:
            self._event = self._registry.decode(self.envelope)
        return self._event

    @property
    def claim_id(self) -> str:
        return self.envelope.subject

    @property
    def tenant_id(self) -> str:
        return self.envelope.tenant_id

    @property
    def trace_id(self) -> str | None:
        """The hex trace id of the claim's trace (the timeline shows it)."""
        context = span_context_of(self.traceparent)
        return format(context.trace_id, "032x") if context else None


def span_context_of(traceparent: str | None) -> SpanContext | None:
    """A W3C traceparent (version 00) as a remote span context; None when absent or malformed."""
    if not traceparent or len(traceparent) != 55:
        return None
    version, trace_id, span_id, flags = traceparent.split("-") if traceparent.count("-") == 3 else ("", "", "", "")
    try:
        context = SpanContext(trace_id=int(trace_id, 16), span_id=int(span_id, 16), is_remote=True,
                              trace_flags=TraceFlags(int(flags, 16)))
    except ValueError:
        return None
    return context if version == "00" and context.is_valid else None


@contextmanager
def claim_trace(delivery: Delivery) -> Iterator[None]:
    """Make the delivery's claim trace the current context (what a per-event handler stores and continues)."""
    context = span_context_of(delivery.traceparent)
    if context is None:
        yield
        return
    token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(context)))
    try:
        yield
    finally:
        otel_context.detach(token)


class ConsumerUnitOfWork:
    """The consumer's transaction as its handlers see it: the session for their statements, and the events
    they produce, which are appended to their claims' streams and queued for Kafka in one statement."""

    def __init__(self, session: AsyncSession, tables: MessagingTables):
        self.session = session
        self.tables = tables
        self._events: list[PendingEvent] = []
        self._messages: list[tuple[str, bytes | None, Headers, bytes, str]] = []

    def append(self, topic: str, envelopes: Sequence[EventEnvelope], *, cause: Delivery | None = None) -> None:
        """Queue events for the end of the step: each continues the trace of the delivery that caused it."""
        traceparent = (cause.traceparent if cause is not None else None) or current_traceparent()
        self._events.extend(PendingEvent(topic, envelope, traceparent) for envelope in envelopes)

    def enqueue_message(self, topic: str, key: bytes | None, headers: Headers, value: bytes, message_id: str) -> None:
        """Queue a raw message (a dead letter) for the relay."""
        self._messages.append((topic, key, headers, value, message_id))

    async def flush(self) -> dict[str, int]:
        """Write what was queued; returns each claim's new stream version."""
        events, self._events = self._events, []
        messages, self._messages = self._messages, []
        versions = await append_events(self.session, self.tables, events)
        await enqueue(self.session, self.tables, messages)
        return versions


class DeliveryFailed(Exception):
    """A handler failed on this delivery in particular: the consumer applies what came before it, tries it on
    its own, then applies what came after (instead of splitting the batch blindly)."""

    def __init__(self, delivery: Delivery, error: BaseException):
        super().__init__(type(error).__name__)
        self.delivery = delivery
        self.error = error


@runtime_checkable
class BatchHandler(Protocol):
    """Applies a batch of deliveries of the types it is registered for, a claim's events in order."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None: ...


class EachEvent:
    """Runs a per-event handler for each delivery, in the claim's trace context (for rare event types)."""

    def __init__(self, handle: Handler):
        self.handle = handle

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            with claim_trace(delivery):
                try:
                    await self.handle(uow.session, delivery.event, delivery.envelope)
                except Exception as error:
                    raise DeliveryFailed(delivery, error) from error


def as_batch_handler(handler: Handler | BatchHandler) -> BatchHandler:
    """Accept either shape; a plain function becomes EachEvent."""
    return handler if isinstance(handler, BatchHandler) else EachEvent(handler)


def in_claim_order(deliveries: Sequence[Delivery]) -> list[list[Delivery]]:
    """Steps in which no claim appears twice: a claim's n-th delivery of the batch goes in step n, so a step
    can be applied as a set (grouped by handler) while each claim's events keep their order."""
    steps: list[list[Delivery]] = []
    seen: dict[str, int] = {}
    for delivery in deliveries:
        step = seen.get(delivery.envelope.subject, 0)
        seen[delivery.envelope.subject] = step + 1
        if step == len(steps):
            steps.append([])
        steps[step].append(delivery)
    return steps
