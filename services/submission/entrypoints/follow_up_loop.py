"""The loop that sweeps for overdue claims on a schedule and sends their 276 inquiries."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.domain.follow_up import FollowUpPolicy
from services.submission.service_layer.follow_up import ClaimStatusService, run_follow_up

log = logging.getLogger(__name__)
SWEEP_INTERVAL_SECONDS = 3600.0  # overdue is counted in days: hourly is soon enough


async def run_follow_up_loop(sessions: async_sessionmaker[AsyncSession], claim_status: ClaimStatusService,
                             policy: FollowUpPolicy, interval_seconds: float = SWEEP_INTERVAL_SECONDS) -> None:
    """Sweep every interval at the wall-clock time; a failed sweep is logged and retried next time."""
    while True:
        try:
            result = await run_follow_up(sessions, claim_status, policy, dt.datetime.now(dt.UTC))
            if result.inquiries:
                log.info("follow-up sweep sent %d claim status inquiries", len(result.inquiries))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the next sweep finds the same claims still due
            log.warning("follow-up sweep failed", extra={"error": type(error).__name__})
        await asyncio.sleep(interval_seconds)
