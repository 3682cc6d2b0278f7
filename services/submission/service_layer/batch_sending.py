"""Sending closed batches, and recording what the clearinghouse made of them.

A batch is 'sending' (committed) before the first attempt. The send runs inside a transaction that
holds the batch's claims locked, so an ack that overtakes the commit waits and then sees 'sent'.
A crash between the send and that commit leaves the batch 'sending': the next pass (and the
startup reconciliation) sends it again under the same Idempotency-Key and file name, which the
clearinghouse recognises, so no claim version is received twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.batch_repository import BatchStore
from services.submission.adapters.clearinghouse import (
    ClearinghouseAdapter,
    ClearinghouseRefused,
    ClearinghouseUnavailable,
    OutboundBatch,
)
from services.submission.adapters.repository import utcnow
from services.submission.domain.send_backoff import Backoff
from services.submission.service_layer.submission_outcomes import SubmissionOutcomes
from shared.db import unit_of_work
from shared.messaging.deliveries import span_context_of

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
BATCHES_PER_PASS = 20


def _no_fault() -> None:
    return None


async def send_due_batches(sessions: async_sessionmaker[AsyncSession], adapters: Mapping[str, ClearinghouseAdapter],
                           backoff: Backoff, after_send: Callable[[], None] = _no_fault) -> int:
    """Send 'sending' batches whose attempt is due, one transaction each; returns how many were sent.
    after_send runs between a successful send and the commit (the crash-safety test's fault hook)."""
    sent = 0
    for _ in range(BATCHES_PER_PASS):
        async with unit_of_work(sessions) as session:
            batch = await BatchStore(session).lock_next_sendable(adapters.keys())
            if batch is None:
                break
            sent += await _send(session, batch, adapters[batch["clearinghouse"]], backoff, after_send)
    return sent


async def _send(session: AsyncSession, batch: dict, adapter: ClearinghouseAdapter, backoff: Backoff,
                after_send: Callable[[], None]) -> int:
    store = BatchStore(session)
    members = await store.members(batch["batch_id"], lock=True)
    attempts = batch["send_attempts"] + 1
    # The send continues the first claim's trace and links every other claim's; each claim's own events
    # continue its own trace (SubmissionOutcomes).
    parent = _trace_of(members[0] if members else {})
    links = [trace.Link(context) for m in members[1:] if (context := span_context_of(m.get("traceparent")))]
    with tracer.start_as_current_span("submit 837 to clearinghouse", context=parent, links=links, attributes={
            "clearinghouse": adapter.name, "payer.id": batch["payer_id"], "batch.claims": len(members),
            "x12.interchange_control_number": str(batch["interchange_control_number"]), "batch.attempt": attempts}):
        try:
            receipt = await adapter.submit(OutboundBatch(
                batch["batch_id"], batch["idempotency_key"], batch["file_name"], batch["interchange_control_number"],
                batch["x12"]))
        except ClearinghouseUnavailable as error:
            delay = backoff.delay(attempts)
            await store.update_batch(batch["batch_id"], send_attempts=attempts, last_error=str(error)[:500],
                                     next_attempt_at=utcnow() + dt.timedelta(seconds=delay))
            log.warning("batch send failed; retrying", extra={"clearinghouse": adapter.name, "attempt": attempts,
                                                              "retry_in_seconds": round(delay, 2)})
            return 0
        except ClearinghouseRefused as error:
            await store.update_batch(batch["batch_id"], state="failed", send_attempts=attempts,
                                     last_error=str(error)[:500])
            outcomes = SubmissionOutcomes()
            for submission in members:
                outcomes.refused(submission, attempts, str(error)[:500])
            await outcomes.write(session)
            return 0
        after_send()
        trace.get_current_span().set_attribute("clearinghouse.replayed", receipt.replayed)
        await store.update_batch(batch["batch_id"], state="sent", send_attempts=attempts, sent_at=utcnow(),
                                 last_error=None)
        await record_versions_sent(session, members, attempts)
    return 1


def _trace_of(submission: dict) -> Context:
    return propagate.extract({"traceparent": submission["traceparent"]} if submission.get("traceparent") else {})


async def record_versions_sent(session: AsyncSession, members: list[dict], attempts: int) -> None:
    """Mark the batch's versions sent and put claim.submitted on each one's history (one statement per table).

    An ack that overtook a lost answer already proved receipt and recorded its version sent: it is skipped."""
    outcomes = SubmissionOutcomes()
    now = utcnow()
    for submission in members:
        if submission["status"] == "pending":
            outcomes.sent(submission, attempts, now)
    await outcomes.write(session)
