"""Submission's SQL for batches: ready claims, open batches, closing, sending and recording; one statement per
table per pass, whatever the number of claims."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.tables import SCHEMA, submission_batches, submissions

# What sending a batch reads of each claim version: all but its 837 (which went into the batch's already).
MEMBER_COLUMNS = tuple(column for column in submissions.c if column.name != "x12")


@dataclass(frozen=True, slots=True)
class NewBatch:
    """A batch opened for a key."""

    batch_id: str
    tenant_id: str
    clearinghouse: str
    payer_id: str
    implementation_guide: str
    opened_at: Any


@dataclass(frozen=True, slots=True)
class ClosedBatch:
    """A due batch with its interchange: open -> sending."""

    batch_id: str
    interchange_control_number: int
    x12: str
    claim_count: int
    idempotency_key: str
    file_name: str
    next_attempt_at: Any


@functools.cache
def _add_batches_statement() -> TextClause:
    return text(f"""
        INSERT INTO {SCHEMA}.submission_batches (batch_id, tenant_id, clearinghouse, payer_id, implementation_guide,
                                                 opened_at, state)
        SELECT i.*, 'open' FROM unnest(CAST(:batch_ids AS uuid[]), CAST(:tenant_ids AS text[]),
                                       CAST(:clearinghouses AS text[]), CAST(:payer_ids AS text[]),
                                       CAST(:guides AS text[]), CAST(:opened AS timestamptz[])) AS i""")


@functools.cache
def _attach_statement() -> TextClause:
    return text(f"""
        UPDATE {SCHEMA}.submissions s SET batch_id = i.batch_id
        FROM unnest(CAST(:submission_ids AS uuid[]), CAST(:batch_ids AS uuid[])) AS i(submission_id, batch_id)
        WHERE s.submission_id = i.submission_id""")


@functools.cache
def _close_statement() -> TextClause:
    # The batch leaves 'open' with its interchange, and its claims carry the batch's control number.
    return text(f"""
        WITH input AS (
            SELECT * FROM unnest(CAST(:batch_ids AS uuid[]), CAST(:numbers AS bigint[]), CAST(:x12s AS text[]),
                                 CAST(:counts AS int[]), CAST(:keys AS text[]), CAST(:files AS text[]),
                                 CAST(:due AS timestamptz[]))
                AS i(batch_id, number, x12, claim_count, idempotency_key, file_name, next_attempt_at)
        ),
        claims AS (
            UPDATE {SCHEMA}.submissions s SET interchange_control_number = i.number
            FROM input i WHERE s.batch_id = i.batch_id
        )
        UPDATE {SCHEMA}.submission_batches b SET state = 'sending', closed_at = now(),
               interchange_control_number = i.number, x12 = i.x12, claim_count = i.claim_count,
               idempotency_key = i.idempotency_key, file_name = i.file_name, next_attempt_at = i.next_attempt_at
        FROM input i WHERE b.batch_id = i.batch_id""")


@functools.cache
def _ready_statement() -> TextClause:
    # The 837's first 300 characters hold ISA and GS (GS08 tells an 837P from an 837I): not the whole text.
    return text(f"""
        SELECT submission_id::text AS submission_id, claim_id::text AS claim_id, tenant_id, payer_id,
               left(x12, 300) AS x12_head, created_at
        FROM {SCHEMA}.submissions WHERE status = 'pending' AND batch_id IS NULL
        ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED""")


class BatchStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def ready_submissions(self, limit: int) -> list[dict[str, Any]]:
        """Pending claim versions not in a batch yet, oldest first, locked so one dispatcher takes each (with
        the head of each one's 837: enough to know its kind)."""
        return [dict(r._mapping) for r in await self.session.execute(_ready_statement(), {"limit": limit})]

    async def open_batches(self) -> list[dict[str, Any]]:
        """Every open batch with the claim ids it holds, locked while claims are added or it is closed."""
        batches = (await self.session.execute(select(submission_batches).where(
            submission_batches.c.state == "open").order_by(submission_batches.c.opened_at)
            .with_for_update())).all()
        result = [dict(b._mapping) | {"claim_ids": set()} for b in batches]
        if result:
            by_id = {b["batch_id"]: b for b in result}
            members = (await self.session.execute(select(submissions.c.batch_id, submissions.c.claim_id).where(
                submissions.c.batch_id.in_(list(by_id))))).all()
            for batch_id, claim_id in members:
                by_id[batch_id]["claim_ids"].add(claim_id)
        return result

    async def add_batches(self, batches: Sequence[NewBatch]) -> None:
        """Open the batches (one statement)."""
        if not batches:
            return
        await self.session.execute(_add_batches_statement(), {
            "batch_ids": [b.batch_id for b in batches], "tenant_ids": [b.tenant_id for b in batches],
            "clearinghouses": [b.clearinghouse for b in batches], "payer_ids": [b.payer_id for b in batches],
            "guides": [b.implementation_guide for b in batches], "opened": [b.opened_at for b in batches]})

    async def attach(self, assignments: Sequence[tuple[str, str]]) -> None:
        """Put each (submission id, batch id) in its batch (one statement)."""
        if not assignments:
            return
        await self.session.execute(_attach_statement(), {"submission_ids": [a[0] for a in assignments],
                                                         "batch_ids": [a[1] for a in assignments]})

    async def interchanges_of(self, batch_ids: Collection[str]) -> dict[str, list[dict[str, Any]]]:
        """Each batch's claim versions in the order they joined (and so the order of its interchange), with
        their 837s."""
        members: dict[str, list[dict[str, Any]]] = {batch_id: [] for batch_id in batch_ids}
        if members:
            rows = await self.session.execute(select(
                submissions.c.batch_id, submissions.c.claim_id, submissions.c.claim_version, submissions.c.x12,
            ).where(submissions.c.batch_id.in_(list(members))).order_by(
                submissions.c.batch_id, submissions.c.created_at, submissions.c.submission_id))
            for row in rows:
                members[row.batch_id].append(dict(row._mapping))
        return members

    async def members(self, batch_id: str, lock: bool = False) -> list[dict[str, Any]]:
        """The batch's submissions in the order they joined; locked while it is sent, so an ack that overtakes
        the send's commit waits for it."""
        query = select(*MEMBER_COLUMNS).where(submissions.c.batch_id == batch_id).order_by(
            submissions.c.created_at, submissions.c.submission_id)
        rows = (await self.session.execute(query.with_for_update() if lock else query)).all()
        return [dict(r._mapping) for r in rows]

    async def close(self, batches: Sequence[ClosedBatch]) -> None:
        """Open -> sending, each with its interchange (one statement for every batch and claim)."""
        if not batches:
            return
        await self.session.execute(_close_statement(), {
            "batch_ids": [b.batch_id for b in batches], "numbers": [b.interchange_control_number for b in batches],
            "x12s": [b.x12 for b in batches], "counts": [b.claim_count for b in batches],
            "keys": [b.idempotency_key for b in batches], "files": [b.file_name for b in batches],
            "due": [b.next_attempt_at for b in batches]})

    async def lock_next_sendable(self, clearinghouses: Collection[str]) -> dict[str, Any] | None:
        """One batch in 'sending' whose attempt is due, for a clearinghouse this process can reach."""
        row = (await self.session.execute(select(submission_batches).where(
            submission_batches.c.state == "sending", submission_batches.c.next_attempt_at <= func.now(),
            submission_batches.c.clearinghouse.in_(list(clearinghouses)),
        ).order_by(submission_batches.c.next_attempt_at).limit(1).with_for_update(skip_locked=True))).first()
        return dict(row._mapping) if row else None

    async def update_batch(self, batch_id: str, **values: Any) -> None:
        await self.session.execute(update(submission_batches).where(submission_batches.c.batch_id == batch_id)
                                   .values(**values))

    async def batches_of(self, batch_ids: Collection[str]) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(submission_batches).where(
            submission_batches.c.batch_id.in_(list(batch_ids))))).all()
        return [dict(r._mapping) for r in rows]
