"""Forming batches: ready claim versions join an open batch per tenant, clearinghouse, payer and kind; a due
batch is closed with its interchange and control number and recorded as 'sending' before any send.

A pass is one transaction of a fixed number of statements, whatever the number of claims: the open batches
and the ready claims are read, new batches opened, claims attached and due batches closed, a statement each."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.batch_repository import BatchStore, ClosedBatch, NewBatch
from services.submission.adapters.claim_version_sets import ClaimVersionSetStore
from services.submission.adapters.repository import utcnow
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
            r["tenant_id"], route(r["payer_id"]), r["payer_id"], implementation_guide_of(r["x12_head"])),
            r["created_at"]) for r in await store.ready_submissions(READY_PER_PASS)]
        assignments, opened = assign_to_batches(ready, batches, rules, now, lambda: str(uuid.uuid4()))
        await store.add_batches([NewBatch(b.batch_id, b.key.tenant_id, b.key.clearinghouse, b.key.payer_id,
                                          b.key.implementation_guide, b.opened_at) for b in opened])
        await store.attach([(a.submission_id, a.batch_id) for a in assignments])
        due = due_batches(batches, now, rules)
        await _close(session, store, [batch.batch_id for batch in due], submitter)
        still_open = [b for b in batches if b not in due]
        next_due = min(((b.opened_at + rules.max_age - now).total_seconds() for b in still_open), default=None)
    return BatchingPass(len(due), None if next_due is None else max(next_due, 0.0))


async def _close(session: AsyncSession, store: BatchStore, batch_ids: list[str], submitter: Submitter) -> None:
    if not batch_ids:
        return
    interchanges = await store.interchanges_of(batch_ids)
    numbers = await ClaimVersionSetStore(session).control_numbers(len(batch_ids))
    now = utcnow()
    closed = []
    for batch_id, control_number in zip(batch_ids, numbers, strict=True):
        members = interchanges[batch_id]
        closed.append(ClosedBatch(
            batch_id=batch_id, interchange_control_number=control_number,
            x12=merge_claim_interchanges(submitter.header(control_number, now), [m["x12"] for m in members]),
            claim_count=len(members), idempotency_key=batch_idempotency_key(
                [submission_key(m["claim_id"], m["claim_version"]) for m in members]),
            file_name=batch_file_name(submitter.sender_id, control_number), next_attempt_at=now))
    await store.close(closed)
