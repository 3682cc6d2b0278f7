"""SQL for acknowledgements beyond receiving them: digests, per-submission results, the unmatched queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.follow_up_tables import acknowledgement_results
from services.submission.adapters.tables import acknowledgements

UNMATCHED_OUTCOMES = ("unmatched", "partial")


class AcknowledgementStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def lock_digest(self, digest: str) -> None:
        """Serialise deliveries of the same content until this transaction ends, so only one applies."""
        await self.session.execute(select(func.pg_advisory_xact_lock(int(digest[:15], 16))))

    async def applied_copy(self, digest: str, delivery_id: str) -> str | None:
        """The delivery id of an earlier, readable delivery of the very same X12, if any."""
        return (await self.session.execute(select(acknowledgements.c.delivery_id).where(
            acknowledgements.c.content_digest == digest, acknowledgements.c.delivery_id != delivery_id,
            acknowledgements.c.outcome.not_in(("parse_error", "received", "duplicate")),
        ).limit(1))).scalar_one_or_none()

    async def finish(self, delivery_id: str, outcome: str, digest: str, parse_error: str | None = None,
                     unmatched: list[dict[str, str]] | None = None) -> None:
        """Record how a delivery ended, with what it named that we do not know."""
        await self.session.execute(update(acknowledgements).where(acknowledgements.c.delivery_id == delivery_id)
                                   .values(outcome=outcome, parse_error=parse_error, content_digest=digest,
                                           unmatched_references=unmatched or None))

    async def add_result(self, values: dict[str, Any]) -> None:
        """One ack's verdict on one submission; a second verdict of the same ack on it is ignored."""
        await self.session.execute(insert(acknowledgement_results).values(**values).on_conflict_do_nothing())

    async def unmatched(self, limit: int, before: Any = None) -> list[dict[str, Any]]:
        """Acks (whole or in part) about claims or submissions we do not know, newest first."""
        query = select(acknowledgements.c.delivery_id, acknowledgements.c.kind, acknowledgements.c.outcome,
                       acknowledgements.c.received_at, acknowledgements.c.unmatched_references).where(
            acknowledgements.c.outcome.in_(UNMATCHED_OUTCOMES))
        if before is not None:
            query = query.where(acknowledgements.c.received_at < before)
        rows = (await self.session.execute(query.order_by(acknowledgements.c.received_at.desc()).limit(limit))).all()
        return [dict(r._mapping) for r in rows]

    async def visible(self, delivery_id: str, tenant_id: str) -> dict[str, Any] | None:
        """An ack the tenant may see: one with results about its claims (one about no known claim is
        the operator's: its references may name another tenant's patients)."""
        own = select(acknowledgement_results.c.delivery_id).where(
            acknowledgement_results.c.delivery_id == acknowledgements.c.delivery_id,
            acknowledgement_results.c.tenant_id == tenant_id)
        row = (await self.session.execute(select(
            acknowledgements.c.delivery_id, acknowledgements.c.kind, acknowledgements.c.outcome,
            acknowledgements.c.parse_error, acknowledgements.c.received_at, acknowledgements.c.unmatched_references,
        ).where(acknowledgements.c.delivery_id == delivery_id, exists(own)))).first()
        return dict(row._mapping) if row else None

    async def any(self, delivery_id: str) -> dict[str, Any] | None:
        """An ack whoever's it is (the operator's view)."""
        row = (await self.session.execute(select(
            acknowledgements.c.delivery_id, acknowledgements.c.kind, acknowledgements.c.outcome,
            acknowledgements.c.parse_error, acknowledgements.c.received_at, acknowledgements.c.unmatched_references,
        ).where(acknowledgements.c.delivery_id == delivery_id))).first()
        return dict(row._mapping) if row else None

    async def results(self, delivery_id: str, tenant_id: str | None) -> list[dict[str, Any]]:
        """The tenant's per-submission results of one ack (every tenant's for None: the operator)."""
        query = select(acknowledgement_results).where(acknowledgement_results.c.delivery_id == delivery_id)
        if tenant_id is not None:
            query = query.where(acknowledgement_results.c.tenant_id == tenant_id)
        rows = (await self.session.execute(query.order_by(acknowledgement_results.c.created_at))).all()
        return [dict(r._mapping) for r in rows]

    async def results_of_claim(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
        """Every ack result about one claim, oldest first."""
        rows = (await self.session.execute(select(acknowledgement_results).where(
            acknowledgement_results.c.tenant_id == tenant_id, acknowledgement_results.c.claim_id == claim_id,
        ).order_by(acknowledgement_results.c.created_at))).all()
        return [dict(r._mapping) for r in rows]
