"""Reset intake's claim projection so the timeline consumer can rebuild it from the event log.

What the projection owns is cleared: the timeline rows, each claim's projected status and
balances, and the consumer's inbox. The claims themselves (the encounters intake accepted) stay.
Outbound webhooks are not sent twice: a status change already queued for an endpoint is skipped.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.tables import claims, messaging, timeline

TIMELINE_CONSUMER = "intake.timeline"


async def reset_timeline_projection(session: AsyncSession) -> dict[str, int]:
    """Clear the projection in the caller's transaction; returns the rows touched per table."""
    cleared = await session.execute(delete(timeline))
    reset = await session.execute(update(claims).values(
        status="received", status_at=claims.c.created_at, billed=None, paid=0, adjusted=0,
        patient_responsibility=0, balance=None))
    inbox = await session.execute(delete(messaging.inbox).where(messaging.inbox.c.consumer == TIMELINE_CONSUMER))
    return {"claim_timeline": cleared.rowcount, "claims": reset.rowcount, "inbox": inbox.rowcount}
