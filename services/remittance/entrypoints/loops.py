"""Remittance's own loop: the statement cycle issues every tenant's patient statements once per period."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable

from services.remittance.adapters.patient_store import PatientStore
from services.remittance.service_layer.patient_billing import run_statement_cycle
from shared.db import unit_of_work
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)
DEFAULT_CYCLE_SECONDS = 86_400.0


def statement_cycle_seconds() -> float:
    """REMITTANCE_STATEMENT_CYCLE_SECONDS: how often statements go out (default daily)."""
    return float(os.environ.get("REMITTANCE_STATEMENT_CYCLE_SECONDS", DEFAULT_CYCLE_SECONDS))


def statement_cycle(runtime: ServiceRuntime, every_seconds: float) -> Callable[[], Awaitable[None]]:
    """A loop that waits one period, then issues statements as of today for every tenant, and again."""

    async def run() -> None:
        while True:
            await asyncio.sleep(every_seconds)
            today = dt.datetime.now(dt.UTC).date()
            try:
                async with runtime.sessions() as session:
                    tenants = await PatientStore(session).tenants_with_claims()
            except Exception as error:  # noqa: BLE001 - database away: the next period tries again
                log.warning("statement cycle skipped", extra={"error_type": type(error).__name__})
                continue
            for tenant_id in tenants:
                try:
                    async with unit_of_work(runtime.sessions) as session:
                        issued = await run_statement_cycle(session, tenant_id, today)
                except Exception as error:  # one tenant's failure must not stop the others' statements
                    log.error("statement cycle failed for a tenant", extra={"error_type": type(error).__name__})
                    continue
                log.info("statement cycle issued statements", extra={"statements": len(issued)})

    return run
