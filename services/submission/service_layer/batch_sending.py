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
from services.submission.adapters.repository import SubmissionStore, utcnow
from services.submission.domain.send_backoff import Backoff
from services.submission.domain.submission_plan import patient_control_number_for
from services.submission.service_layer.handlers import _envelope, submitted_event
from shared.contracts.encounter import Encounter
from shared.db import unit_of_work
from shared.events.claim_events import ClaimRejected
from shared.telemetry import claim_span_attributes

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
    # The send continues the first claim's trace; each claim's own record continues its own (see _record_sent).
    parent = _trace_of(members[0] if members else {})
    with tracer.start_as_current_span("submit 837 to clearinghouse", context=parent, attributes={
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
            await _record_refused(SubmissionStore(session), members, str(error)[:500], attempts)
            return 0
        after_send()
        trace.get_current_span().set_attribute("clearinghouse.replayed", receipt.replayed)
        await store.update_batch(batch["batch_id"], state="sent", send_attempts=attempts, sent_at=utcnow(),
                                 last_error=None)
        await _record_sent(SubmissionStore(session), members, attempts)
    return 1


def _trace_of(submission: dict) -> Context:
    return propagate.extract({"traceparent": submission["traceparent"]} if submission.get("traceparent") else {})


async def _record_sent(store: SubmissionStore, members: list[dict], attempts: int) -> None:
    batch_span = trace.Link(trace.get_current_span().get_span_context())
    for submission in members:
        # An ack that overtook a lost answer already proved receipt and recorded the version sent.
        if submission["status"] != "pending":
            continue
        await record_version_sent(store, submission, attempts, links=[batch_span])


async def record_version_sent(store: SubmissionStore, submission: dict, attempts: int,
                              links: list[trace.Link] | None = None) -> None:
    """Mark one claim version sent and put claim.submitted on its history, in the caller's transaction."""
    with tracer.start_as_current_span("record claim version sent", context=_trace_of(submission),
                                      links=links or [], attributes=claim_span_attributes(
                                          submission["claim_id"], submission["tenant_id"])):
        await store.update_submission(submission["submission_id"], send_attempts=attempts, status="sent",
                                      sent_at=utcnow(), last_error=None)
        claim = await store.billing_claim_by_pcn(patient_control_number_for(submission["claim_id"]))
        assert claim is not None
        await store.update_billing_claim(submission["claim_id"], status="submitted")
        # The version's own encounter: the claim's latest may have moved on since this version was queued.
        event = submitted_event(submission, Encounter.model_validate(submission.get("encounter")
                                                                    or claim["encounter"]))
        await store.record(submission["claim_id"], [_envelope(event, submission)])


async def _record_refused(store: SubmissionStore, members: list[dict], reason: str, attempts: int) -> None:
    for submission in members:
        await store.update_submission(submission["submission_id"], send_attempts=attempts, status="refused",
                                      last_error=reason)
        await store.update_billing_claim(submission["claim_id"], status="rejected")
        rejected = ClaimRejected(submission_id=submission["submission_id"], stage="999", status_category="R",
                                 status_code="refused", reason=reason)
        await store.record(submission["claim_id"], [_envelope(rejected, submission)])
