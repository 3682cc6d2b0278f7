"""SQL for acknowledgements beyond receiving them: digests, per-submission results, the unmatched queue."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import TextClause, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.follow_up_tables import acknowledgement_results
from services.submission.adapters.tables import SCHEMA, acknowledgements, billing_claims, submissions

UNMATCHED_OUTCOMES = ("unmatched", "partial")


@functools.cache
def _add_results_statement() -> TextClause:
    return text(f"""
        INSERT INTO {SCHEMA}.acknowledgement_results (delivery_id, submission_id, claim_id, tenant_id, kind, status,
                                                      accepted, applied, reasons)
        SELECT * FROM unnest(CAST(:delivery_ids AS text[]), CAST(:submission_ids AS uuid[]),
                             CAST(:claim_ids AS uuid[]), CAST(:tenant_ids AS text[]), CAST(:kinds AS text[]),
                             CAST(:statuses AS text[]), CAST(:accepted AS boolean[]), CAST(:applied AS boolean[]),
                             CAST(:reasons AS jsonb[]))
        ON CONFLICT DO NOTHING""")


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

    async def add_results(self, results: Sequence[dict[str, Any]]) -> None:
        """One ack's verdicts on its submissions, in one statement; a second verdict of the same ack on a
        submission is ignored."""
        if not results:
            return
        await self.session.execute(_add_results_statement(), {
            "delivery_ids": [r["delivery_id"] for r in results],
            "submission_ids": [r["submission_id"] for r in results],
            "claim_ids": [r["claim_id"] for r in results], "tenant_ids": [r["tenant_id"] for r in results],
            "kinds": [r["kind"] for r in results], "statuses": [r["status"] for r in results],
            "accepted": [r["accepted"] for r in results], "applied": [r["applied"] for r in results],
            "reasons": [json.dumps(r["reasons"]) for r in results]})

    async def lock_interchanges(self, control_numbers: Collection[int]) -> dict[int, list[dict[str, Any]]]:
        """Every claim of the interchanges (batches) with these control numbers, locked in one query: an ack
        can overtake the dispatcher's commit, so it waits for it and reads what it wrote."""
        found: dict[int, list[dict[str, Any]]] = {}
        if control_numbers:
            rows = await self.session.execute(select(submissions).where(
                submissions.c.interchange_control_number.in_(sorted(set(control_numbers))))
                .order_by(submissions.c.submission_id).with_for_update())
            for row in rows:
                found.setdefault(row.interchange_control_number, []).append(dict(row._mapping))
        return found

    async def lock_latest_versions(self, patient_control_numbers: Collection[str]) -> dict[str, dict[str, Any]]:
        """The latest version of each claim named by its CLM01, locked (one query for the whole file): the
        277CA may arrive before the send commits."""
        if not patient_control_numbers:
            return {}
        latest = (select(submissions.c.submission_id)
                  .join(billing_claims, billing_claims.c.claim_id == submissions.c.claim_id)
                  .where(billing_claims.c.patient_control_number.in_(sorted(set(patient_control_numbers))))
                  .distinct(submissions.c.claim_id)
                  .order_by(submissions.c.claim_id, submissions.c.claim_version.desc()))
        rows = await self.session.execute(
            select(submissions, billing_claims.c.patient_control_number)
            .join(billing_claims, billing_claims.c.claim_id == submissions.c.claim_id)
            .where(submissions.c.submission_id.in_(latest.scalar_subquery()))
            .order_by(submissions.c.submission_id).with_for_update(of=submissions))
        return {row.patient_control_number: dict(row._mapping) for row in rows}

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
