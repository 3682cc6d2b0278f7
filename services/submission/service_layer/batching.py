"""Forming batches: ready claim versions join an open batch per tenant, clearinghouse, payer and kind; a due
batch is closed with its interchange and control number and recorded as 'sending' before any send."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.batch_repository import BatchStore
from services.submission.adapters.repository import SubmissionStore, utcnow
from services.submission.domain.batch import (
    BatchKey,
    BatchRules,
    OpenBatch,
    ReadyClaim,
    assign_to_batches,
    batch_file_name,
    batch_idempotency_key,
    due_batches,
    submission_key,
)
from services.submission.domain.batch_interchange import implementation_guide_of, merge_claim_interchanges
from services.submission.domain.submission_plan import Submitter
from shared.db import unit_of_work

READY_PER_PASS = 2000


@dataclass(frozen=True, slots=True)
class BatchingPass:
    """What one pass did, and how long until the oldest still-open batch comes due (None: none open)."""

    closed: int
    next_due_seconds: float | None


async def form_batches(sessions: async_sessionmaker[AsyncSession], rules: BatchRules,
                       route: Callable[[str], str], submitter: Submitter) -> BatchingPass:
    """Put ready claims into open batches and close the batches that are due, in one transaction."""
    async with unit_of_work(sessions) as session:
        store = BatchStore(session)
        now = utcnow()
        batches = [OpenBatch(b["batch_id"], BatchKey(b["tenant_id"], b["clearinghouse"], b["payer_id"],
                                                     b["implementation_guide"]), b["opened_at"], b["claim_ids"])
                   for b in await store.open_batches()]
        ready = [ReadyClaim(r["submission_id"], r["claim_id"], BatchKey(
            r["tenant_id"], route(r["payer_id"]), r["payer_id"], implementation_guide_of(r["x12"])), r["created_at"])
            for r in await store.ready_submissions(READY_PER_PASS)]
        assignments, opened = assign_to_batches(ready, batches, rules, now, lambda: str(uuid.uuid4()))
        for batch in opened:
            await store.add_batch({"batch_id": batch.batch_id, "tenant_id": batch.key.tenant_id,
                                   "clearinghouse": batch.key.clearinghouse,
                                   "payer_id": batch.key.payer_id, "opened_at": batch.opened_at,
                                   "implementation_guide": batch.key.implementation_guide})
        for assignment in assignments:
            await store.attach(assignment.submission_id, assignment.batch_id)
        due = due_batches(batches, now, rules)
        for batch in due:
            await _close(session, store, batch.batch_id, submitter, now)
        still_open = [b for b in batches if b not in due]
        next_due = min(((b.opened_at + rules.max_age - now).total_seconds() for b in still_open), default=None)
    return BatchingPass(len(due), None if next_due is None else max(next_due, 0.0))


async def _close(session: AsyncSession, store: BatchStore, batch_id: str, submitter: Submitter,
                 now: dt.datetime) -> None:
    members = await store.members(batch_id)
    control_number = await SubmissionStore(session).next_control_number()
    x12 = merge_claim_interchanges(submitter.header(control_number, now), [m["x12"] for m in members])
    await store.close(batch_id, interchange_control_number=control_number, x12=x12, claim_count=len(members),
                      idempotency_key=batch_idempotency_key(
                          [submission_key(m["claim_id"], m["claim_version"]) for m in members]),
                      file_name=batch_file_name(submitter.sender_id, control_number), next_attempt_at=now)
