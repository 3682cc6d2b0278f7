"""Intake's SQL for projecting a batch of claim events: timeline rows, statuses and balances in one statement,
the webhook deliveries the status changes call for in a second.

Subscriptions are joined inside the delivery insert rather than looked up or cached: no round trip per
event, and an endpoint registered a moment ago is never missed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

SCHEMA = "intake"


@dataclass(frozen=True, slots=True)
class ProjectedEvent:
    """One event as the projection writes it: its timeline row, the status it sets, the money it posts."""

    event_id: str
    claim_id: str
    tenant_id: str
    event_type: str
    source: str
    occurred_at: dt.datetime
    trace_id: str | None
    status: str | None
    summary: dict[str, Any]
    billed: Decimal | None = None  # with posts_money: None keeps the billed amount (a reversal)
    paid: Decimal = Decimal("0")
    adjusted: Decimal = Decimal("0")
    patient_responsibility: Decimal = Decimal("0")
    posts_money: bool = False


@dataclass(frozen=True, slots=True)
class ProjectedClaim:
    """A claim row the projection changed: its status before and after, and when it was received."""

    event_id: str
    claim_id: str
    tenant_id: str
    external_id: str
    received_at: dt.datetime
    status: str
    previous_status: str


@dataclass(frozen=True, slots=True)
class QueuedWebhook:
    """A webhook body to deliver to every enabled endpoint of the tenant that subscribed to event_type."""

    tenant_id: str
    event_type: str
    event_id: str
    claim_id: str
    claim_status: str
    body: str
    traceparent: str | None
    queued_at: dt.datetime


@functools.cache
def _project_statement() -> TextClause:
    return text(f"""
        WITH input AS (
            SELECT * FROM unnest(
                CAST(:event_ids AS text[]), CAST(:claim_ids AS uuid[]), CAST(:tenant_ids AS text[]),
                CAST(:types AS text[]), CAST(:sources AS text[]), CAST(:occurred AS timestamptz[]),
                CAST(:trace_ids AS text[]), CAST(:statuses AS text[]), CAST(:summaries AS jsonb[]),
                CAST(:billed AS numeric[]), CAST(:paid AS numeric[]), CAST(:adjusted AS numeric[]),
                CAST(:patient AS numeric[]), CAST(:posts_money AS boolean[]))
            AS i(event_id, claim_id, tenant_id, event_type, source, occurred_at, trace_id, status, summary,
                 billed, paid, adjusted, patient, posts_money)
        ),
        projected AS (
            INSERT INTO {SCHEMA}.claim_timeline (event_id, claim_id, tenant_id, event_type, source, occurred_at,
                                                 trace_id, status, summary)
            SELECT event_id, claim_id, tenant_id, event_type, source, occurred_at, trace_id, status, summary
            FROM input ON CONFLICT DO NOTHING
        ),
        locked AS (  -- in claim id order, so two batches touching the same claims never deadlock
            SELECT c.claim_id, c.status FROM {SCHEMA}.claims c
            WHERE c.claim_id IN (SELECT claim_id FROM input WHERE status IS NOT NULL OR posts_money)
            ORDER BY c.claim_id FOR UPDATE
        ),
        changed AS (
            SELECT i.*, l.status AS previous_status,
                   (i.status IS NOT NULL AND c.status_at <= i.occurred_at) AS moves
            FROM input i JOIN locked l ON l.claim_id = i.claim_id JOIN {SCHEMA}.claims c ON c.claim_id = i.claim_id
        )
        UPDATE {SCHEMA}.claims c SET
            status = CASE WHEN x.moves THEN x.status ELSE c.status END,
            status_at = CASE WHEN x.moves THEN x.occurred_at ELSE c.status_at END,
            billed = CASE WHEN x.posts_money THEN coalesce(x.billed, c.billed) ELSE c.billed END,
            paid = c.paid + x.paid,
            adjusted = c.adjusted + x.adjusted,
            patient_responsibility = c.patient_responsibility + x.patient,
            balance = CASE WHEN x.posts_money
                      THEN coalesce(x.billed, c.billed, c.total_charge) - (c.paid + x.paid) - (c.adjusted + x.adjusted)
                      ELSE c.balance END,
            updated_at = now()
        FROM changed x
        WHERE c.claim_id = x.claim_id AND (x.moves OR x.posts_money)
        RETURNING x.event_id, c.claim_id::text AS claim_id, c.tenant_id, c.external_id, c.created_at, c.status,
                  x.previous_status, x.moves""")


@functools.cache
def _deliveries_statement() -> TextClause:
    return text(f"""
        INSERT INTO {SCHEMA}.webhook_deliveries (delivery_id, endpoint_id, tenant_id, event_type, event_id, claim_id,
                                                 claim_status, body, traceparent, status, queued_at, next_attempt_at)
        SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.endpoint_id, i.tenant_id, i.event_type,
               i.event_id, i.claim_id, i.claim_status, i.body, i.traceparent, 'pending', i.queued_at, i.queued_at
        FROM unnest(CAST(:tenant_ids AS text[]), CAST(:types AS text[]), CAST(:event_ids AS text[]),
                    CAST(:claim_ids AS uuid[]), CAST(:statuses AS text[]), CAST(:bodies AS text[]),
                    CAST(:traceparents AS text[]), CAST(:queued AS timestamptz[]))
             AS i(tenant_id, event_type, event_id, claim_id, claim_status, body, traceparent, queued_at)
        JOIN {SCHEMA}.webhook_endpoints e
          ON e.tenant_id = i.tenant_id AND e.status = 'enabled' AND i.event_type = ANY(e.event_types)
        ON CONFLICT ON CONSTRAINT webhook_deliveries_event_key DO NOTHING""")


@functools.cache
def _current_status_statement() -> TextClause:
    return text(f"SELECT claim_id::text AS claim_id, status FROM {SCHEMA}.claims "
                "WHERE claim_id = ANY(CAST(:claim_ids AS uuid[]))")


class TimelineProjectionStore:
    """The projection's statements; callers own the transaction."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def project(self, events: Sequence[ProjectedEvent]) -> list[ProjectedClaim]:
        """Write the events' timeline rows and move statuses and balances; returns the claims whose status moved
        (the latest event decides: one older than the claim's status changes nothing)."""
        if not events:
            return []
        rows = await self.session.execute(_project_statement(), {
            "event_ids": [e.event_id for e in events], "claim_ids": [e.claim_id for e in events],
            "tenant_ids": [e.tenant_id for e in events], "types": [e.event_type for e in events],
            "sources": [e.source for e in events], "occurred": [e.occurred_at for e in events],
            "trace_ids": [e.trace_id for e in events], "statuses": [e.status for e in events],
            "summaries": [json.dumps(e.summary, default=str) for e in events],
            "billed": [e.billed for e in events], "paid": [e.paid for e in events],
            "adjusted": [e.adjusted for e in events], "patient": [e.patient_responsibility for e in events],
            "posts_money": [e.posts_money for e in events]})
        return [ProjectedClaim(row.event_id, row.claim_id, row.tenant_id, row.external_id, row.created_at,
                               row.status, row.previous_status)
                for row in rows if row.moves and row.previous_status != row.status]

    async def queue_webhooks(self, webhooks: Sequence[QueuedWebhook]) -> None:
        """Queue each body for the tenant's enabled endpoints subscribed to its type (once per endpoint)."""
        if not webhooks:
            return
        await self.session.execute(_deliveries_statement(), {
            "tenant_ids": [w.tenant_id for w in webhooks], "types": [w.event_type for w in webhooks],
            "event_ids": [w.event_id for w in webhooks], "claim_ids": [w.claim_id for w in webhooks],
            "statuses": [w.claim_status for w in webhooks], "bodies": [w.body for w in webhooks],
            "traceparents": [w.traceparent for w in webhooks], "queued": [w.queued_at for w in webhooks]})

    async def current_statuses(self, claim_ids: Sequence[str]) -> dict[str, str]:
        """The claims' statuses now (for forwarded events, which carry the claim's status)."""
        rows = await self.session.execute(_current_status_statement(), {"claim_ids": list(claim_ids)})
        return {row.claim_id: row.status for row in rows}
