"""Deadline alerts: once per denial, claim.appeal_deadline_approaching when its appeal window nears its end."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.denials.adapters.repository import DenialStore
from services.denials.domain.appeals import days_to
from services.denials.domain.work_queue import should_alert
from services.denials.service_layer.policy import DenialsPolicy
from shared.db import unit_of_work
from shared.events.denial_events import ClaimAppealDeadlineApproaching
from shared.messaging.outbox import envelope_for

log = logging.getLogger(__name__)
SOURCE = "denials"


async def alert_deadlines(session: AsyncSession, today: dt.date, alert_days: int) -> int:
    """Raise the alerts due today for denials not yet appealed; returns how many."""
    store = DenialStore(session)
    drafted = {a["denial_id"]: a for a in await store.drafted_appeals()}
    raised = 0
    for denial in await store.open_denials():
        if denial["status"] not in ("open", "correcting") or denial["appeal_deadline"] is None:
            continue
        appeal = drafted.get(denial["denial_id"])
        deadline = appeal["deadline"] if appeal else denial["appeal_deadline"]
        left = days_to(deadline, today)
        if not should_alert(left, alert_days, denial["deadline_alerted_at"] is not None):
            continue
        await store.update(denial["denial_id"], deadline_alerted_at=dt.datetime.now(dt.UTC))
        await store.record(denial["claim_id"], [envelope_for(ClaimAppealDeadlineApproaching(
            denial_id=denial["denial_id"], appeal_id=appeal["appeal_id"] if appeal else None,
            level=appeal["level"] if appeal else "first", deadline=deadline, days_left=left),
            source=SOURCE, claim_id=denial["claim_id"], tenant_id=denial["tenant_id"])])
        raised += 1
    return raised


async def run_deadline_alerts(sessions: async_sessionmaker[AsyncSession], policy: DenialsPolicy) -> None:
    """Scan forever; a failed scan is logged and retried at the next tick."""
    while True:
        try:
            async with unit_of_work(sessions) as session:
                raised = await alert_deadlines(session, dt.datetime.now(dt.UTC).date(), policy.deadline_alert_days)
            if raised:
                log.info("appeal deadline alerts raised", extra={"count": raised})
        except Exception as error:  # noqa: BLE001 - the next tick retries
            log.warning("deadline scan failed", extra={"error": type(error).__name__})
        await asyncio.sleep(policy.deadline_scan_seconds)
