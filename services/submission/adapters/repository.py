"""All of submission's SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.tables import (
    acknowledgements,
    billing_claims,
    interchange_control_numbers,
    submissions,
)
from shared.messaging.topics import events_topic

TOPIC = events_topic("submission")


class SubmissionStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def next_control_number(self) -> int:
        return (await self.session.execute(select(interchange_control_numbers.next_value()))).scalar_one()

    async def add_billing_claim(self, values: dict[str, Any]) -> bool:
        added = (await self.session.execute(insert(billing_claims).values(**values).on_conflict_do_nothing(
            index_elements=["claim_id"]).returning(billing_claims.c.claim_id))).first()
        return added is not None

    async def add_submission(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(submissions).values(**values))

    async def update_submission(self, submission_id: str, **values: Any) -> None:
        await self.session.execute(update(submissions).where(submissions.c.submission_id == submission_id)
                                   .values(**values))

    async def submissions_of(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(submissions).where(
            submissions.c.tenant_id == tenant_id, submissions.c.claim_id == claim_id,
        ).order_by(submissions.c.claim_version))).all()
        return [dict(r._mapping) for r in rows]

    async def store_acknowledgement(self, delivery_id: str, kind: str, x12: str) -> bool:
        """Keep the ack whole before reading it; False when this delivery was seen before."""
        added = (await self.session.execute(insert(acknowledgements).values(
            delivery_id=delivery_id, kind=kind, x12=x12, outcome="received",
        ).on_conflict_do_nothing().returning(acknowledgements.c.delivery_id))).first()
        return added is not None

    async def set_acknowledgement_outcome(self, delivery_id: str, outcome: str,
                                          parse_error: str | None = None) -> None:
        await self.session.execute(update(acknowledgements).where(acknowledgements.c.delivery_id == delivery_id)
                                   .values(outcome=outcome, parse_error=parse_error))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
