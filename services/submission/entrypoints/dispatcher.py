"""The loop that batches ready claims, sends due batches and picks up acks left at SFTP clearinghouses."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.clearinghouse import ClearinghouseAdapter
from services.submission.adapters.clearinghouse.config import TransportSettings
from services.submission.adapters.queued_versions_listener import QueuedVersionsListener
from services.submission.domain.submission_plan import Submitter
from services.submission.service_layer.acknowledgement_pickup import pick_up_acknowledgements
from services.submission.service_layer.batch_sending import send_due_batches
from services.submission.service_layer.batching import form_batches

log = logging.getLogger(__name__)
IDLE_SECONDS = 1.0


async def run_dispatcher(sessions: async_sessionmaker[AsyncSession], adapters: Mapping[str, ClearinghouseAdapter],
                         settings: TransportSettings, submitter: Submitter,
                         after_send: Callable[[], None], queued: QueuedVersionsListener) -> None:
    """Batch, send, pick up; then wait for the oldest open batch to come due or, with none open, for a newly
    queued claim version (NOTIFY, from any process) or the idle period (retries, other instances' work).
    Outages are waited out."""
    listening = asyncio.create_task(queued.run(), name="submission-queued-versions")
    try:
        await _dispatch(sessions, adapters, settings, submitter, after_send, queued)
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)


async def _dispatch(sessions: async_sessionmaker[AsyncSession], adapters: Mapping[str, ClearinghouseAdapter],
                    settings: TransportSettings, submitter: Submitter, after_send: Callable[[], None],
                    queued: QueuedVersionsListener) -> None:
    pickers = [adapter for adapter in adapters.values() if adapter.picks_up_acknowledgements]
    next_pickup = 0.0
    while True:
        wait = IDLE_SECONDS
        try:
            batching = await form_batches(sessions, settings.batch_rules, settings.clearinghouse_for, submitter)
            sent = await send_due_batches(sessions, adapters, settings.backoff, after_send)
            if pickers and time.monotonic() >= next_pickup:
                next_pickup = time.monotonic() + settings.ack_pickup_seconds
                for adapter in pickers:
                    await _pick_up(sessions, adapter)
            if batching.next_due_seconds is not None:
                wait = min(wait, batching.next_due_seconds + 0.01)
            if pickers:
                wait = min(wait, max(next_pickup - time.monotonic(), 0.0))
            if batching.closed or sent:
                continue
            if batching.next_due_seconds is not None:
                # A batch is open: versions queued meanwhile join it, or open batches of their own aged from
                # when they were queued, at its due time. Waking for each of them would cost a pass per claim.
                await asyncio.sleep(wait)
                queued.clear()
                continue
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - rows stay where they are; retry after a pause
            log.warning("dispatch pass failed", extra={"error": type(error).__name__})
            await asyncio.sleep(1.0)
        await queued.wait(wait)


async def _pick_up(sessions: async_sessionmaker[AsyncSession], adapter: ClearinghouseAdapter) -> None:
    try:
        await pick_up_acknowledgements(sessions, adapter)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # noqa: BLE001 - one unreachable clearinghouse must not stop the others
        log.warning("acknowledgement pickup failed", extra={"clearinghouse": adapter.name,
                                                             "error": type(error).__name__})
