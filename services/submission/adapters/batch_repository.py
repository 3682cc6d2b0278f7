"""Submission's SQL for batches: ready claims, open batches, closing, sending and recording."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.tables import submission_batches, submissions


class BatchStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def ready_submissions(self, limit: int) -> list[dict[str, Any]]:
        """Pending claim versions not in a batch yet, oldest first, locked so one dispatcher takes each."""
        rows = (await self.session.execute(select(
            submissions.c.submission_id, submissions.c.claim_id, submissions.c.tenant_id, submissions.c.payer_id,
            submissions.c.x12,
            submissions.c.created_at,
        ).where(submissions.c.status == "pending", submissions.c.batch_id.is_(None))
            .order_by(submissions.c.created_at).limit(limit).with_for_update(skip_locked=True))).all()
        return [dict(r._mapping) for r in rows]

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

    async def add_batch(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(submission_batches).values(state="open", **values))

    async def attach(self, submission_id: str, batch_id: str) -> None:
        await self.session.execute(update(submissions).where(submissions.c.submission_id == submission_id)
                                   .values(batch_id=batch_id))

    async def members(self, batch_id: str, lock: bool = False) -> list[dict[str, Any]]:
        """The batch's submissions in the order they joined (and so the order of the interchange)."""
        query = select(submissions).where(submissions.c.batch_id == batch_id).order_by(
            submissions.c.created_at, submissions.c.submission_id)
        rows = (await self.session.execute(query.with_for_update() if lock else query)).all()
        return [dict(r._mapping) for r in rows]

    async def close(self, batch_id: str, **values: Any) -> None:
        """Open -> sending, with its interchange; its claims now carry the batch's control number."""
        await self.session.execute(update(submission_batches).where(submission_batches.c.batch_id == batch_id)
                                   .values(state="sending", closed_at=func.now(), **values))
        await self.session.execute(update(submissions).where(submissions.c.batch_id == batch_id)
                                   .values(interchange_control_number=values["interchange_control_number"]))

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
