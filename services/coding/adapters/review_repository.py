"""The coder review queue's SQL: review items, their working codes, and the decisions on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.tables import coding_review_decisions, coding_reviews
from services.coding.domain.coder_decisions import DecisionRecord
from services.coding.domain.review_queue import SUPERSEDED, ReviewItem, diagnosis_from_json, line_from_json
from shared.contracts.encounter import Encounter

ACTIVE = ("open", "assigned")


def _row_values(item: ReviewItem) -> dict[str, Any]:
    return {"status": item.status, "reasons": item.reasons, "assigned_to": item.assigned_to,
            "coding_round": item.coding_round, "encounter": item.encounter.model_dump(mode="json"),
            "diagnoses": [asdict(d) for d in item.diagnoses], "lines": [asdict(line) for line in item.lines],
            "skipped": item.skipped}


def item_from_row(row: dict[str, Any]) -> ReviewItem:
    """The domain item stored in a coding_reviews row."""
    return ReviewItem(
        review_id=row["review_id"], claim_id=row["claim_id"], tenant_id=row["tenant_id"], trigger=row["trigger"],
        reasons=list(row["reasons"]), encounter=Encounter.model_validate(row["encounter"]),
        diagnoses=[diagnosis_from_json(d) for d in row["diagnoses"]],
        lines=[line_from_json(line) for line in row["lines"]], status=row["status"],
        assigned_to=row["assigned_to"], coding_round=row["coding_round"], skipped=list(row["skipped"]))


class ReviewStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, item: ReviewItem) -> None:
        await self.add_all([item])

    async def add_all(self, items: Sequence[ReviewItem]) -> None:
        """Open review items, many in one statement."""
        if not items:
            return
        await self.session.execute(insert(coding_reviews), [{
            "review_id": item.review_id, "claim_id": item.claim_id, "tenant_id": item.tenant_id,
            "trigger": item.trigger, "payer_id": item.encounter.primary_coverage.payer.payer_id,
            "date_of_service": item.encounter.date_of_service, **_row_values(item)} for item in items])

    async def supersede_active(self, claim_ids: Sequence[str], closed_by: str) -> None:
        """Close the open or assigned item of each claim as superseded (its encounter was corrected), one statement."""
        if not claim_ids:
            return
        await self.session.execute(
            update(coding_reviews).where(coding_reviews.c.claim_id.in_(claim_ids), coding_reviews.c.status.in_(ACTIVE))
            .values(status=SUPERSEDED, closed_at=func.now(), closed_by=closed_by))

    async def save(self, item: ReviewItem, *, assigned: bool = False, closed_by: str | None = None) -> None:
        values = _row_values(item)
        if assigned:
            values["assigned_at"] = func.now()
        if item.status not in ACTIVE:
            values.update(closed_at=func.now(), closed_by=closed_by)
        await self.session.execute(update(coding_reviews).where(coding_reviews.c.review_id == item.review_id)
                                   .values(**values))

    async def row(self, tenant_id: str, review_id: str, for_update: bool = False) -> dict[str, Any] | None:
        query = select(coding_reviews).where(coding_reviews.c.tenant_id == tenant_id,
                                             coding_reviews.c.review_id == review_id)
        found = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return dict(found._mapping) if found else None

    async def active_for_claim(self, claim_id: str, for_update: bool = False) -> dict[str, Any] | None:
        query = select(coding_reviews).where(coding_reviews.c.claim_id == claim_id,
                                             coding_reviews.c.status.in_(ACTIVE))
        found = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return dict(found._mapping) if found else None

    async def latest_for_claim(self, tenant_id: str, claim_id: str) -> dict[str, Any] | None:
        found = (await self.session.execute(
            select(coding_reviews).where(coding_reviews.c.tenant_id == tenant_id, coding_reviews.c.claim_id == claim_id)
            .order_by(coding_reviews.c.sequence.desc()).limit(1))).first()
        return dict(found._mapping) if found else None

    async def page(self, tenant_id: str, *, statuses: tuple[str, ...], trigger: str | None, assigned_to: str | None,
                   payer_id: str | None, claim_id: str | None, after_sequence: int | None,
                   limit: int) -> list[dict[str, Any]]:
        """The queue, oldest first, one page after a cursor."""
        c = coding_reviews.c
        query = select(coding_reviews).where(c.tenant_id == tenant_id, c.status.in_(statuses))
        for column, value in ((c.trigger, trigger), (c.assigned_to, assigned_to), (c.payer_id, payer_id),
                              (c.claim_id, claim_id)):
            if value is not None:
                query = query.where(column == value)
        if after_sequence is not None:
            query = query.where(c.sequence > after_sequence)
        rows = (await self.session.execute(query.order_by(c.sequence).limit(limit))).all()
        return [dict(row._mapping) for row in rows]

    async def add_decision(self, item: ReviewItem, decided_by: str, record: DecisionRecord) -> None:
        await self.session.execute(insert(coding_review_decisions).values(
            review_id=item.review_id, claim_id=item.claim_id, tenant_id=item.tenant_id, decided_by=decided_by,
            action=record.action, kind=record.kind, code=record.code, new_code=record.new_code,
            line_number=record.line_number, reason=record.reason))

    async def decisions(self, review_id: str) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(coding_review_decisions)
                                           .where(coding_review_decisions.c.review_id == review_id)
                                           .order_by(coding_review_decisions.c.decision_id))).all()
        return [dict(row._mapping) for row in rows]
