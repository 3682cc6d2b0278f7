"""The loop that sends pending submissions to the clearinghouse."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.clearinghouse_http import HttpClearinghouse
from services.submission.service_layer.handlers import dispatch_due

log = logging.getLogger(__name__)


async def run_dispatcher(sessions: async_sessionmaker[AsyncSession], clearinghouse: HttpClearinghouse,
                         idle_seconds: float = 0.1) -> None:
    """Send what is due, sleep briefly when nothing was; database outages are waited out."""
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
            await asyncio.sleep(idle_seconds)
