"""All of denials' SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.denials.adapters.tables import (
    appeals,
    claim_facts,
    denial_comments,
    denials,
    messaging,
    scrubber_proposals,
    write_offs,
)
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import record_events
from shared.messaging.topics import events_topic

TOPIC = events_topic("denials")
OPEN_STATUSES = ("open", "correcting", "appealed", "pending_write_off")


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result.all()]


class DenialStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def record(self, claim_id: str, events: list[EventEnvelope]) -> None:
        """Append events to the claim's stream and the outbox, in the caller's transaction."""
        await record_events(self.session, messaging, TOPIC, events)  # after whatever the stream holds

    async def add(self, record: dict[str, Any], events: list[EventEnvelope]) -> bool:
        """Insert a denial with its events; False when this ERA's denial of the claim exists."""
        added = (await self.session.execute(insert(denials).values(**record).on_conflict_do_nothing(
            constraint="denials_claim_era_key").returning(denials.c.denial_id))).first()
        if added is None:
            return False
        await self.record(record["claim_id"], events)
        return True

    async def list(self, tenant_id: str, status: str | None, limit: int, claim_id: str | None = None,
                   review_required: bool | None = None) -> list[dict[str, Any]]:
        query = select(denials).where(denials.c.tenant_id == tenant_id)
        if review_required is not None:
            query = query.where(denials.c.review_required.is_(review_required))
        if status:
            query = query.where(denials.c.status == status)
        if claim_id:
            query = query.where(denials.c.claim_id == claim_id)
        return _rows(await self.session.execute(query.order_by(denials.c.created_at.desc()).limit(limit)))

    async def get(self, tenant_id: str, denial_id: str, lock: bool = False) -> dict[str, Any] | None:
        query = select(denials).where(denials.c.tenant_id == tenant_id, denials.c.denial_id == denial_id)
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return dict(row._mapping) if row else None

    async def update(self, denial_id: str, **values: Any) -> None:
        await self.session.execute(update(denials).where(denials.c.denial_id == denial_id).values(**values))

    async def open_denials(self, tenant_id: str | None = None) -> list[dict[str, Any]]:
        query = select(denials).where(denials.c.status.in_(OPEN_STATUSES))
        if tenant_id:
            query = query.where(denials.c.tenant_id == tenant_id)
        return _rows(await self.session.execute(query))

    async def all_denials(self, tenant_id: str, since: dt.datetime | None, payer_id: str | None
                          ) -> list[dict[str, Any]]:
        query = select(denials).where(denials.c.tenant_id == tenant_id)
        if since:
            query = query.where(denials.c.created_at >= since)
        if payer_id:
            query = query.where(denials.c.payer_id == payer_id)
        return _rows(await self.session.execute(query))

    # claim facts
    async def upsert_facts_of(self, rows: list[dict[str, Any]]) -> None:
        """Keep the latest submitted version of each claim (one statement, its rows pipelined)."""
        if not rows:
            return
        statement = insert(claim_facts)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=[claim_facts.c.claim_id],
            set_={k: statement.excluded[k] for k in rows[0] if k != "claim_id"},
            where=claim_facts.c.claim_version <= statement.excluded.claim_version), rows)

    async def claims_with_denial_work(self, claim_ids: list[str]) -> set[str]:
        """Of these claims, those with an appeal sent or a denial of any status: a payment, a reversal or what
        was billed may change them. Every other claim (almost all) needs nothing more."""
        if not claim_ids:
            return set()
        with_appeals = select(appeals.c.claim_id).where(appeals.c.claim_id.in_(claim_ids))
        with_denials = select(denials.c.claim_id).where(denials.c.claim_id.in_(claim_ids))
        rows = await self.session.execute(with_appeals.union(with_denials))
        return {str(claim_id) for claim_id in rows.scalars()}

    async def facts(self, claim_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(claim_facts).where(claim_facts.c.claim_id == claim_id))).first()
        return dict(row._mapping) if row else None

    async def all_facts(self, tenant_id: str, since: dt.datetime | None, payer_id: str | None
                        ) -> list[dict[str, Any]]:
        query = select(claim_facts).where(claim_facts.c.tenant_id == tenant_id)
        if since:
            query = query.where(claim_facts.c.submitted_at >= since)
        if payer_id:
            query = query.where(claim_facts.c.payer_id == payer_id)
        return _rows(await self.session.execute(query))

    # appeals
    async def add_appeal(self, appeal: dict[str, Any]) -> bool:
        added = (await self.session.execute(insert(appeals).values(**appeal).on_conflict_do_nothing(
            constraint="appeals_denial_level_key").returning(appeals.c.appeal_id))).first()
        return added is not None

    async def appeal(self, tenant_id: str, appeal_id: str, lock: bool = False) -> dict[str, Any] | None:
        query = select(appeals).where(appeals.c.tenant_id == tenant_id, appeals.c.appeal_id == appeal_id)
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return dict(row._mapping) if row else None

    async def appeals_of(self, tenant_id: str, denial_id: str | None = None, claim_id: str | None = None,
                         status: str | None = None) -> list[dict[str, Any]]:
        query = select(appeals).where(appeals.c.tenant_id == tenant_id)
        if denial_id:
            query = query.where(appeals.c.denial_id == denial_id)
        if claim_id:
            query = query.where(appeals.c.claim_id == claim_id)
        if status:
            query = query.where(appeals.c.status == status)
        return _rows(await self.session.execute(query.order_by(appeals.c.created_at)))

    async def update_appeal(self, appeal_id: str, **values: Any) -> None:
        await self.session.execute(update(appeals).where(appeals.c.appeal_id == appeal_id).values(**values))

    async def drafted_appeals(self) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(select(appeals).where(appeals.c.status == "drafted")))

    # write-offs
    async def add_write_off(self, write_off: dict[str, Any]) -> None:
        await self.session.execute(insert(write_offs).values(**write_off))

    async def write_off(self, tenant_id: str, write_off_id: str) -> dict[str, Any] | None:
        query = select(write_offs).where(write_offs.c.tenant_id == tenant_id,
                                         write_offs.c.write_off_id == write_off_id).with_for_update()
        row = (await self.session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def write_offs_of(self, tenant_id: str, denial_id: str | None = None, status: str | None = None
                            ) -> list[dict[str, Any]]:
        query = select(write_offs).where(write_offs.c.tenant_id == tenant_id)
        if denial_id:
            query = query.where(write_offs.c.denial_id == denial_id)
        if status:
            query = query.where(write_offs.c.status == status)
        return _rows(await self.session.execute(query.order_by(write_offs.c.created_at)))

    async def update_write_off(self, write_off_id: str, **values: Any) -> None:
        await self.session.execute(update(write_offs).where(write_offs.c.write_off_id == write_off_id)
                                   .values(**values))

    # comments
    async def add_comment(self, comment: dict[str, Any]) -> None:
        await self.session.execute(insert(denial_comments).values(**comment))

    async def comments(self, denial_id: str) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(select(denial_comments).where(
            denial_comments.c.denial_id == denial_id).order_by(denial_comments.c.created_at)))

    # scrubber proposals
    async def count_pattern(self, tenant_id: str, payer_id: str, procedure_code: str, reason_code: str) -> int:
        """How many of the tenant's denials show this payer, procedure and CARC."""
        query = select(func.count()).select_from(denials).where(
            denials.c.tenant_id == tenant_id, denials.c.payer_id == payer_id, denials.c.preventable.is_(True),
            denials.c.procedure_codes.contains([procedure_code]),
            denials.c.lines.contains([{"reason_code": reason_code, "preventable": True}]))
        return (await self.session.execute(query)).scalar_one()

    async def upsert_proposal(self, proposal: dict[str, Any]) -> None:
        """Create the proposal, or bring its count and triggering claim up to date (any status)."""
        statement = insert(scrubber_proposals).values(**proposal)
        await self.session.execute(statement.on_conflict_do_update(
            constraint="scrubber_proposals_pattern_key",
            set_={"occurrences": statement.excluded.occurrences, "last_claim_id": statement.excluded.last_claim_id}))

    async def proposal_count(self, tenant_id: str) -> int:
        return (await self.session.execute(select(func.count()).select_from(scrubber_proposals).where(
            scrubber_proposals.c.tenant_id == tenant_id))).scalar_one()

    async def proposals(self, tenant_id: str, status: str | None) -> list[dict[str, Any]]:
        query = select(scrubber_proposals).where(scrubber_proposals.c.tenant_id == tenant_id)
        if status:
            query = query.where(scrubber_proposals.c.status == status)
        return _rows(await self.session.execute(query.order_by(scrubber_proposals.c.created_at)))

    async def proposal(self, tenant_id: str, proposal_id: str) -> dict[str, Any] | None:
        query = select(scrubber_proposals).where(scrubber_proposals.c.tenant_id == tenant_id,
                                                 scrubber_proposals.c.proposal_id == proposal_id).with_for_update()
        row = (await self.session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def update_proposal(self, proposal_id: str, **values: Any) -> None:
        await self.session.execute(update(scrubber_proposals).where(
            scrubber_proposals.c.proposal_id == proposal_id).values(**values))
