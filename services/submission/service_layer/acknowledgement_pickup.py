"""Acks left in a clearinghouse's outbound folder: each applied through the same path as a webhook
delivery (kept whole, applied once), then archived. A crash between the two picks the file up again;
its delivery id makes the second application a no-op and it is archived then."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.clearinghouse import ClearinghouseAdapter
from services.submission.service_layer.acknowledgements import receive_acknowledgement
from shared.db import unit_of_work

log = logging.getLogger(__name__)


async def pick_up_acknowledgements(sessions: async_sessionmaker[AsyncSession], adapter: ClearinghouseAdapter) -> int:
    """Apply and archive every ack waiting at the clearinghouse; returns how many were picked up."""
    picked = 0
    for acknowledgement in await adapter.pending_acknowledgements():
        async with unit_of_work(sessions) as session:
            outcome, _ = await receive_acknowledgement(session, acknowledgement.delivery_id, acknowledgement.kind,
                                                       acknowledgement.x12)
        await adapter.archive(acknowledgement)
        log.info("acknowledgement picked up", extra={"clearinghouse": adapter.name, "kind": acknowledgement.kind,
                                                     "outcome": outcome})
        picked += 1
    return picked
