"""Wakes the dispatcher when a claim version is queued: a trigger on submissions NOTIFYs
`submission.submissions` after each insert (migration 0008_submission_sets), whichever process queued it, and
this LISTENs on a connection of its own. Nothing is paid per statement, and the dispatcher's own commits never
wake it. A lost connection is reopened; reopening counts as a wake-up, since a notification may have been
missed meanwhile."""

from __future__ import annotations

import asyncio
import functools
import logging

import asyncpg

from services.submission.adapters.tables import SCHEMA
from shared.messaging.relay import asyncpg_dsn

log = logging.getLogger(__name__)
CHANNEL = f"{SCHEMA}.submissions"
RECONNECT_MAX_SECONDS = 5.0


class QueuedVersionsListener:
    """An event set whenever claim versions were queued since the dispatcher last looked."""

    def __init__(self, database_url: str):
        self.dsn = asyncpg_dsn(database_url)
        self.queued = asyncio.Event()

    async def run(self) -> None:
        """Listen until cancelled, reconnecting after any failure."""
        delay = 0.2
        while True:
            try:
                connection = await asyncpg.connect(self.dsn)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("queued-versions listener cannot connect", extra={"error": type(error).__name__})
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
                continue
            delay = 0.2
            closed = asyncio.Event()
            connection.add_termination_listener(functools.partial(_set, closed))
            try:
                await connection.add_listener(CHANNEL, self._notified)
                self.queued.set()  # whatever was queued while nobody listened
                await closed.wait()
            finally:
                if not connection.is_closed():
                    await connection.close(timeout=5)

    def _notified(self, *_: object) -> None:
        self.queued.set()

    def clear(self) -> None:
        """Forget the versions queued so far (the dispatcher's next pass picks them up anyway)."""
        self.queued.clear()

    async def wait(self, timeout: float) -> None:
        """Until versions are queued, or timeout seconds."""
        try:
            await asyncio.wait_for(self.queued.wait(), timeout=timeout)
        except TimeoutError:
            pass
        self.queued.clear()


def _set(event: asyncio.Event, *_: object) -> None:
    event.set()
