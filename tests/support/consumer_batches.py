"""Apply events to a service's batch handler as its consumer does (one transaction, claim order kept, the
produced events appended after each step), without a broker: for integration tests on real PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import unit_of_work
from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS
from shared.messaging.deliveries import BatchHandler, ConsumerUnitOfWork, Delivery, in_claim_order
from shared.messaging.tables import MessagingTables


def deliveries_of(envelopes: Sequence[EventEnvelope], traceparents: Sequence[str | None] | None = None,
                  topic: str = "test") -> list[Delivery]:
    """The envelopes as a consumer would hand them over, each with its claim's traceparent."""
    traces = list(traceparents) if traceparents is not None else [None] * len(envelopes)
    return [Delivery(envelope, CONTRACTS, topic=topic, partition=0, offset=position, traceparent=trace)
            for position, (envelope, trace) in enumerate(zip(envelopes, traces, strict=True))]


async def apply_batch(sessions: async_sessionmaker[AsyncSession], tables: MessagingTables, handler: BatchHandler,
                      deliveries: Sequence[Delivery]) -> None:
    """prepare (when the handler has it), then every step of the batch in one committed transaction."""
    prepare = getattr(handler, "prepare", None)
    if prepare is not None:
        prepare(deliveries)
    async with unit_of_work(sessions) as session:
        uow = ConsumerUnitOfWork(session, tables)
        for step in in_claim_order(deliveries):
            await handler.apply(uow, step)
            await uow.flush()
