"""SQL for claim follow-up: outstanding claims, 835 arrivals, 276 inquiries and their 277 answers."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import TextClause, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.follow_up_tables import claim_follow_ups, claim_status_inquiries
from services.submission.adapters.tables import SCHEMA, billing_claims, submissions

SWEEP_LOCK = 5_010_212  # one follow-up sweep at a time: the loop and POST /v1/follow-up/run never overlap


@functools.cache
def _note_remittances_statement() -> TextClause:
    return text(f"""
        INSERT INTO {SCHEMA}.claim_follow_ups (claim_id, tenant_id, era_id, remittance_posted_at)
        SELECT * FROM unnest(CAST(:claim_ids AS uuid[]), CAST(:tenant_ids AS text[]), CAST(:era_ids AS text[]),
                             CAST(:posted AS timestamptz[]))
        ON CONFLICT (claim_id) DO UPDATE SET
            era_id = COALESCE({SCHEMA}.claim_follow_ups.era_id, EXCLUDED.era_id),
            remittance_posted_at = COALESCE({SCHEMA}.claim_follow_ups.remittance_posted_at,
                                            EXCLUDED.remittance_posted_at),
            updated_at = now()""")


class FollowUpStore:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def lock_sweep(self) -> None:
        """Hold the sweep lock until the transaction ends."""
        await self.session.execute(select(func.pg_advisory_xact_lock(SWEEP_LOCK)))

    async def outstanding(self, sent_before: dt.datetime, tenant_id: str | None,
                          limit: int) -> list[dict[str, Any]]:
        """Claims whose latest version was sent by `sent_before` and still waits for a 277CA or an 835,
        with their follow-up state and last inquiry, oldest first."""
        latest = (select(submissions).distinct(submissions.c.claim_id)
                  .order_by(submissions.c.claim_id, submissions.c.claim_version.desc()).subquery())
        last = claim_status_inquiries.alias("last_inquiry")
        query = (
            select(latest.c.claim_id, latest.c.tenant_id, latest.c.submission_id, latest.c.payer_id,
                   latest.c.status.label("submission_status"), latest.c.sent_at,
                   latest.c.payer_claim_control_number, billing_claims.c.patient_control_number,
                   billing_claims.c.encounter, claim_follow_ups.c.remittance_posted_at,
                   claim_follow_ups.c.last_inquiry_at, claim_follow_ups.c.last_inquiry_id,
                   last.c.outcome.label("last_inquiry_outcome"), last.c.status_category.label("last_status_category"),
                   last.c.status_code.label("last_status_code"), last.c.status_text.label("last_status_text"))
            .join(billing_claims, billing_claims.c.claim_id == latest.c.claim_id)
            .outerjoin(claim_follow_ups, claim_follow_ups.c.claim_id == latest.c.claim_id)
            .outerjoin(last, last.c.inquiry_id == claim_follow_ups.c.last_inquiry_id)
            .where(latest.c.status.in_(("sent", "accepted")), latest.c.sent_at <= sent_before,
                   claim_follow_ups.c.remittance_posted_at.is_(None))
            .order_by(latest.c.sent_at).limit(limit))
        if tenant_id is not None:
            query = query.where(latest.c.tenant_id == tenant_id)
        return [dict(r._mapping) for r in (await self.session.execute(query)).all()]

    async def note_remittances(self, arrivals: Sequence[tuple[str, str, str, dt.datetime]]) -> None:
        """(claim id, tenant id, era id, posted at) per claim, at most one each: follow-up stops for all of them
        in one statement (the first arrival is kept)."""
        if not arrivals:
            return
        await self.session.execute(_note_remittances_statement(), {
            "claim_ids": [a[0] for a in arrivals], "tenant_ids": [a[1] for a in arrivals],
            "era_ids": [a[2] for a in arrivals], "posted": [a[3] for a in arrivals]})

    async def note_remittance(self, claim_id: str, tenant_id: str, era_id: str, posted_at: dt.datetime) -> None:
        """An 835 arrived for the claim: follow-up stops (the first arrival is kept)."""
        statement = insert(claim_follow_ups).values(claim_id=claim_id, tenant_id=tenant_id, era_id=era_id,
                                                    remittance_posted_at=posted_at)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["claim_id"], set_={"era_id": func.coalesce(claim_follow_ups.c.era_id, era_id),
                                               "remittance_posted_at": func.coalesce(
                                                   claim_follow_ups.c.remittance_posted_at, posted_at),
                                               "updated_at": func.now()}))

    async def add_inquiry(self, values: dict[str, Any]) -> None:
        """A 276 about to be sent, and the claim's pointer to it as its last inquiry."""
        await self.session.execute(insert(claim_status_inquiries).values(**values))
        pointer = {"last_inquiry_id": values["inquiry_id"], "last_inquiry_at": values["as_of"]}
        await self.session.execute(insert(claim_follow_ups).values(
            claim_id=values["claim_id"], tenant_id=values["tenant_id"], **pointer,
        ).on_conflict_do_update(index_elements=["claim_id"], set_={**pointer, "updated_at": func.now()}))

    async def finish_inquiry(self, inquiry_id: str, **values: Any) -> None:
        """Record what came back for a 276 (or why nothing did)."""
        await self.session.execute(update(claim_status_inquiries)
                                   .where(claim_status_inquiries.c.inquiry_id == inquiry_id).values(**values))

    async def inquiries_of(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
        """Every 276 sent about a claim with its answer, oldest first."""
        rows = (await self.session.execute(select(claim_status_inquiries).where(
            claim_status_inquiries.c.tenant_id == tenant_id, claim_status_inquiries.c.claim_id == claim_id,
        ).order_by(claim_status_inquiries.c.sent_at))).all()
        return [dict(r._mapping) for r in rows]
