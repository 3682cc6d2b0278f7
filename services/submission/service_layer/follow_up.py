"""Follow-up use cases: find overdue claims, ask the payer with a 276, record the 277; stop on an 835.

A sweep runs in two steps. First, in one transaction under the sweep lock, it picks the claims due an
inquiry at `now`, writes each one's 276 and records it with the claim's last-inquiry pointer, so a
concurrent or crashed-and-restarted sweep does not ask twice. Then it sends each 276 and records the
answer in a transaction of its own: the 277 is read completely before anything is stored from it, and
an answer that does not read is kept with its parse error.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from opentelemetry import trace
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.claim_status_http import ClaimStatusUnavailable
from services.submission.adapters.follow_up_store import FollowUpStore
from services.submission.adapters.repository import SubmissionStore
from services.submission.domain.ack_reasons import claim_status_reason, status_reason
from services.submission.domain.claim_status_inquiry_276 import ClaimStatusInquiry, write_276
from services.submission.domain.claim_status_response_277 import parse_277
from services.submission.domain.errors import AckParseError
from services.submission.domain.follow_up import (
    FollowUpPolicy,
    OutstandingClaim,
    days_outstanding,
    inquiry_due,
    overdue_reason,
)
from services.submission.domain.submission_plan import Submitter
from shared.contracts.encounter import Encounter
from shared.db import unit_of_work
from shared.events.claim_events import RemittancePosted
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery, DeliveryFailed
from shared.telemetry import claim_span_attributes
from shared.x12.reader_threads import read_off_the_loop
from shared.x12.tokenizer import X12SyntaxError

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
SUBMITTER = Submitter()
ERROR_MAX = 1000


class ClaimStatusService(Protocol):
    async def inquire(self, x12_276: str) -> str: ...


@dataclass
class SweepResult:
    """What one sweep did, by inquiry outcome."""

    as_of: dt.datetime
    inquiries: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The summary POST /v1/follow-up/run returns (ids and outcomes, no PHI)."""
        return {"as_of": self.as_of.isoformat(), "inquiries_sent": len(self.inquiries), "inquiries": self.inquiries}


def outstanding_claim(row: dict[str, Any]) -> OutstandingClaim:
    """The domain view of a row from FollowUpStore.outstanding."""
    return OutstandingClaim(claim_id=row["claim_id"], payer_id=row["payer_id"],
                            submission_status=row["submission_status"], sent_at=row["sent_at"],
                            remittance_posted=row["remittance_posted_at"] is not None,
                            last_inquiry_at=row["last_inquiry_at"])


async def follow_up_queue(session: AsyncSession, tenant_id: str, now: dt.datetime, policy: FollowUpPolicy,
                          limit: int = 500) -> list[dict[str, Any]]:
    """The tenant's overdue claims at `now`: payer, days outstanding, why, last inquiry and 277 status."""
    rows = await FollowUpStore(session).outstanding(now - policy.shortest_wait, tenant_id, limit)
    queue = []
    for row in rows:
        claim = outstanding_claim(row)
        reason = overdue_reason(claim, now, policy)
        if reason is None:
            continue
        queue.append({
            "claim_id": row["claim_id"], "payer_id": row["payer_id"], "submission_id": row["submission_id"],
            "submission_status": row["submission_status"], "reason": reason,
            "sent_at": row["sent_at"].isoformat(), "days_outstanding": days_outstanding(claim, now),
            "last_inquiry": None if row["last_inquiry_id"] is None else {
                "inquiry_id": row["last_inquiry_id"], "as_of": row["last_inquiry_at"].isoformat(),
                "outcome": row["last_inquiry_outcome"]},
            "last_277_status": None if row["last_status_category"] is None else {
                "category": row["last_status_category"], "status_code": row["last_status_code"],
                "text": row["last_status_text"]},
        })
    return queue


async def run_follow_up(sessions: async_sessionmaker[AsyncSession], claim_status: ClaimStatusService,
                        policy: FollowUpPolicy, now: dt.datetime, tenant_id: str | None = None,
                        limit: int = 100) -> SweepResult:
    """Send a 276 for every claim due one at `now` (one tenant's, or everyone's) and record the 277s."""
    result = SweepResult(as_of=now)
    async with unit_of_work(sessions) as session:
        planned = await _plan_inquiries(session, policy, now, tenant_id, limit)
    for inquiry in planned:
        outcome = await _ask(sessions, claim_status, inquiry)
        result.inquiries.append({"inquiry_id": inquiry["inquiry_id"], "claim_id": inquiry["claim_id"],
                                 "reason": inquiry["reason"], "outcome": outcome})
    return result


async def _plan_inquiries(session: AsyncSession, policy: FollowUpPolicy, now: dt.datetime, tenant_id: str | None,
                          limit: int) -> list[dict[str, Any]]:
    follow_ups = FollowUpStore(session)
    await follow_ups.lock_sweep()
    planned = []
    for row in await follow_ups.outstanding(now - policy.shortest_wait, tenant_id, limit):
        reason = inquiry_due(outstanding_claim(row), now, policy)
        if reason is None:
            continue
        inquiry_id = str(uuid.uuid4())
        trace_number = inquiry_id.replace("-", "").upper()[:30]
        control_number = await SubmissionStore(session).next_control_number()
        x12_276 = write_276(SUBMITTER.header(control_number, dt.datetime.now(dt.UTC)), [ClaimStatusInquiry(
            encounter=Encounter.model_validate(row["encounter"]),
            patient_control_number=row["patient_control_number"], trace_number=trace_number,
            payer_claim_control_number=row["payer_claim_control_number"])])
        values = {"inquiry_id": inquiry_id, "claim_id": row["claim_id"], "tenant_id": row["tenant_id"],
                  "submission_id": row["submission_id"], "payer_id": row["payer_id"], "reason": reason,
                  "trace_number": trace_number, "x12_276": x12_276, "outcome": "sending", "as_of": now}
        await follow_ups.add_inquiry(values)
        planned.append(values)
    return planned


async def _ask(sessions: async_sessionmaker[AsyncSession], claim_status: ClaimStatusService,
               inquiry: dict[str, Any]) -> str:
    attributes = {**claim_span_attributes(inquiry["claim_id"], inquiry["tenant_id"]), "payer.id": inquiry["payer_id"],
                  "follow_up.reason": inquiry["reason"], "follow_up.inquiry_id": inquiry["inquiry_id"]}
    with tracer.start_as_current_span("claim status inquiry (276/277)", attributes=attributes) as span:
        outcome = await _send_and_record(sessions, claim_status, inquiry)
        span.set_attribute("follow_up.outcome", outcome)
        return outcome


async def _send_and_record(sessions: async_sessionmaker[AsyncSession], claim_status: ClaimStatusService,
                           inquiry: dict[str, Any]) -> str:
    try:
        x12_277 = await claim_status.inquire(inquiry["x12_276"])
    except ClaimStatusUnavailable as error:
        log.warning("claim status inquiry %s not answered: %s", inquiry["inquiry_id"], error)
        async with unit_of_work(sessions) as session:
            await FollowUpStore(session).finish_inquiry(inquiry["inquiry_id"], outcome="send_failed",
                                                        error=str(error)[:ERROR_MAX])
        return "send_failed"
    async with unit_of_work(sessions) as session:
        return await record_277(session, inquiry["inquiry_id"], inquiry["trace_number"], x12_277)


async def record_277(session: AsyncSession, inquiry_id: str, trace_number: str, x12_277: str) -> str:
    """Read the whole 277, then store the claim's status on its inquiry; returns the inquiry's outcome."""
    follow_ups = FollowUpStore(session)
    try:
        responses = await read_off_the_loop(parse_277, x12_277)
    except (AckParseError, X12SyntaxError) as error:
        await follow_ups.finish_inquiry(inquiry_id, x12_277=x12_277, outcome="parse_error",
                                        error=str(error)[:ERROR_MAX])
        return "parse_error"
    answer = next((r for r in responses if r.trace_number == trace_number), None)
    if answer is None:
        await follow_ups.finish_inquiry(inquiry_id, x12_277=x12_277, outcome="unmatched",
                                        error="the 277 holds no claim status with this inquiry's trace number")
        return "unmatched"
    await follow_ups.finish_inquiry(
        inquiry_id, x12_277=x12_277, outcome="answered", status_category=answer.status_category_code,
        status_code=answer.status_code, entity_code=answer.entity_code,
        status_text=claim_status_reason(answer.statuses),
        statuses=[{"category": s.category_code, "status_code": s.status_code, "entity": s.entity_code,
                   "text": status_reason(s)} for s in answer.statuses],
        payer_claim_control_number=answer.payer_claim_control_number)
    return "answered"


class RemittanceArrivals:
    """claim.remittance_posted: an 835 was posted for each claim, which needs no more follow-up (one statement
    for the batch)."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        arrivals = []
        for delivery in deliveries:
            try:
                event: RemittancePosted = delivery.event
            except Exception as error:
                raise DeliveryFailed(delivery, error) from error
            arrivals.append((delivery.claim_id, delivery.tenant_id, event.era_id, delivery.envelope.time))
        await FollowUpStore(uow.session).note_remittances(arrivals)
