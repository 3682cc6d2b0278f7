"""All of submission's SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.tables import (
    acknowledgements,
    billing_claims,
    interchange_control_numbers,
    messaging,
    submissions,
)
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events
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

    async def billing_claim_by_pcn(self, patient_control_number: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(billing_claims).where(
            billing_claims.c.patient_control_number == patient_control_number))).first()
        return dict(row._mapping) if row else None

    async def update_billing_claim(self, claim_id: str, **values: Any) -> None:
        await self.session.execute(update(billing_claims).where(billing_claims.c.claim_id == claim_id)
                                   .values(updated_at=func.now(), **values))

    async def add_submission(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(submissions).values(**values))

    async def update_submission(self, submission_id: str, **values: Any) -> None:
        await self.session.execute(update(submissions).where(submissions.c.submission_id == submission_id)
                                   .values(**values))

    async def submissions_by_control_number(self, control_number: int) -> list[dict[str, Any]]:
        """Every claim of one interchange (a batch), locked: an ack can overtake the dispatcher's commit,
        so wait for it and read what it wrote."""
        rows = (await self.session.execute(select(submissions).where(
            submissions.c.interchange_control_number == control_number).order_by(submissions.c.submission_id)
            .with_for_update())).all()
        return [dict(r._mapping) for r in rows]

    async def latest_submission(self, claim_id: str) -> dict[str, Any] | None:
        """Locked, like submissions_by_control_number: the 277CA may arrive before the send commits."""
        row = (await self.session.execute(select(submissions).where(submissions.c.claim_id == claim_id)
                                          .order_by(submissions.c.claim_version.desc()).limit(1)
                                          .with_for_update())).first()
        return dict(row._mapping) if row else None

    async def submissions_of(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
        rows = (await self.session.execute(select(submissions).where(
            submissions.c.tenant_id == tenant_id, submissions.c.claim_id == claim_id,
        ).order_by(submissions.c.claim_version))).all()
        return [dict(r._mapping) for r in rows]

    async def record(self, claim_id: str, events: list[EventEnvelope]) -> None:
        """Append to the claim's submission stream and queue for Kafka."""
        await record_events(self.session, messaging, TOPIC, events)  # after whatever the stream holds

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
