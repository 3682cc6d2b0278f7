"""The consumer's inbox: one row per (consumer group, event id), written in the transaction that applies the
event, so a redelivered event finds its row and is skipped. A batch claims its rows in one statement."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.tables import MessagingTables

APPLIED, DEAD_LETTERED, PARKED = "applied", "dead_lettered", "parked"


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """What a consumed record leaves in the inbox: its event id (or log position), origin and outcome."""

    event_id: str
    topic: str
    partition: int
    offset: int
    outcome: str = APPLIED
    reason: str | None = None
    replayed: bool = False  # a re-driven dead letter: may take back its own dead-lettered row, once


@functools.cache
def _claim_statement(schema: str, replayed: bool) -> TextClause:
    # A replayed dead letter takes back its dead-lettered row, once: after that the row says applied and a
    # second replay is a duplicate like any other.
    on_conflict = ("DO UPDATE SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, topic = EXCLUDED.topic, "
                   'partition = EXCLUDED.partition, "offset" = EXCLUDED."offset" '
                   f"WHERE \"{schema}\".inbox.outcome = '{DEAD_LETTERED}'") if replayed else "DO NOTHING"
    return text(f"""
        INSERT INTO "{schema}".inbox (consumer, event_id, topic, partition, "offset", outcome, reason)
        SELECT :consumer, i.event_id, i.topic, i.partition, i.position, i.outcome, i.reason
        FROM unnest(CAST(:event_ids AS text[]), CAST(:topics AS text[]), CAST(:partitions AS int[]),
                    CAST(:offsets AS bigint[]), CAST(:outcomes AS text[]), CAST(:reasons AS text[]))
             AS i(event_id, topic, partition, position, outcome, reason)
        ON CONFLICT (consumer, event_id) {on_conflict}
        RETURNING event_id""")


async def claim_inbox(session: AsyncSession, tables: MessagingTables, consumer: str,
                      entries: Sequence[InboxEntry]) -> set[str]:
    """Write the entries' inbox rows; returns the event ids this call claimed (the rest were seen before)."""
    schema = tables.inbox.schema or "public"
    claimed: set[str] = set()
    fresh = [e for e in entries if not e.replayed]
    # a replayed dead letter's row may be updated, and one statement may not update a row twice
    replayed = list({e.event_id: e for e in entries if e.replayed}.values())
    for replay, group in ((False, fresh), (True, replayed)):
        if group:
            rows = await session.execute(_claim_statement(schema, replay), {
                "consumer": consumer, "event_ids": [e.event_id for e in group], "topics": [e.topic for e in group],
                "partitions": [e.partition for e in group], "offsets": [e.offset for e in group],
                "outcomes": [e.outcome for e in group], "reasons": [e.reason for e in group]})
            claimed.update(row.event_id for row in rows)
    return claimed
