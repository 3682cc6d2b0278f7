"""The loop that sends pending submissions to the clearinghouse."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.clearinghouse_http import HttpClearinghouse
from services.submission.service_layer.handlers import dispatch_due
from shared.db import on_commit

log = logging.getLogger(__name__)


async def run_dispatcher(sessions: async_sessionmaker[AsyncSession], clearinghouse: HttpClearinghouse,
                         idle_seconds: float = 1.0) -> None:
    """Send what is due; when nothing was, wait for this service's next commit (a newly queued
    submission) or the idle period (retries coming due); database outages are waited out."""
    committed = asyncio.Event()
    on_commit(sessions, committed.set)
    while True:
        try:
            sent = await dispatch_due(sessions, clearinghouse)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - rows stay pending; retry after a pause
            log.warning("dispatch pass failed", extra={"error": type(error).__name__})
            sent = 0
            await asyncio.sleep(1.0)
        if not sent:
            try:
                await asyncio.wait_for(committed.wait(), timeout=idle_seconds)
            except TimeoutError:
                pass
            committed.clear()
