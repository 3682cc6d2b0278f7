"""The claims-per-status gauge: counted from intake's claim projection on a timer, read at each scrape."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.adapters.repository import ClaimStore
from shared.metrics import observe

log = logging.getLogger(__name__)


class ClaimStatusGauge:
    """Refreshes `claimline.claims` (claims by tenant and status) every `every_seconds`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], every_seconds: float = 10.0):
        self.sessions = sessions
        self.every_seconds = every_seconds
        self._counts: list[tuple[str, str, int]] = []
        observe("claimline.claims", "Claims currently in each status", "{claim}",
                lambda: [(count, {"tenant_id": tenant, "status": status}) for tenant, status, count in self._counts])

    async def refresh(self) -> None:
        async with self.sessions() as session:
            self._counts = await ClaimStore(session).status_counts()

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception as error:  # noqa: BLE001 - a metric only; the next round tries again
                log.warning("claim status count failed", extra={"error": type(error).__name__})
            await asyncio.sleep(self.every_seconds)
