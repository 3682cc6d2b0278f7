"""Settling webhook attempts and deleting their endpoint take rows in the same order, so they never deadlock.

The suite once ended with 40P01 from DELETE /v1/webhook-endpoints/{id}: the DELETE locked the endpoint and
then (by cascade) its deliveries, while the dispatcher locked deliveries as their attempts finished and then
the endpoint (a 410 disables it). These tests pause the dispatcher's transaction after its first statement,
start the DELETE, and let the dispatcher go on only once the DELETE waits on a lock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.adapters.webhook_repository import WebhookStore
from services.intake.domain.outbound_webhooks import (
    AttemptResult,
    DeliveryStatus,
    DueDelivery,
    EndpointStatus,
    RetrySchedule,
    new_delivery_id,
    new_endpoint_id,
)
from services.intake.service_layer.webhook_deliveries import delete_endpoint, settle_attempts
from shared.db import TransactionContention, create_engine, session_factory, transaction_attempts
from tests.support.environment import IsolatedEnvironment

pytestmark = pytest.mark.integration
TENANT = "lock-order-tenant"


class PausingSession:
    """Runs the wrapped session's statements, parking after the first until told to go on."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self.paused = asyncio.Event()
        self.resume = asyncio.Event()
        self.statements = 0

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        result = await self.session.execute(*args, **kwargs)
        self.statements += 1
        if self.statements == 1:
            self.paused.set()
            await self.resume.wait()
        return result


async def _endpoint_with_deliveries(sessions: async_sessionmaker[AsyncSession], count: int) -> list[DueDelivery]:
    now = dt.datetime.now(dt.UTC)
    endpoint_id = new_endpoint_id()
    async with sessions() as session, session.begin():
        store = WebhookStore(session)
        await store.add_endpoint({"endpoint_id": endpoint_id, "tenant_id": TENANT, "url": "https://pms.example/hook",
                                  "description": None, "event_types": ["claim.status_changed"],
                                  "secret": "whsec_test", "status": EndpointStatus.ENABLED})
        rows = [{"delivery_id": new_delivery_id(), "endpoint_id": endpoint_id, "tenant_id": TENANT,
                 "event_type": "claim.status_changed", "event_id": f"event-{n}",
                 "claim_id": f"00000000-0000-4000-8000-00000000000{n}", "claim_status": "received",
                 "body": "{}", "traceparent": None, "status": DeliveryStatus.PENDING, "queued_at": now,
                 "next_attempt_at": now} for n in range(count)]
        await store.enqueue(rows)
    return [DueDelivery(delivery_id=r["delivery_id"], endpoint_id=endpoint_id, tenant_id=TENANT,
                        claim_id=r["claim_id"], url="https://pms.example/hook", body="{}",
                        signing_secrets=("whsec_test",), queued_at=now, window_failures=0, traceparent=None)
            for r in rows]


async def _waiting_on_a_lock(sessions: async_sessionmaker[AsyncSession], pid: int) -> None:
    for _ in range(200):
        async with sessions() as session:
            waiting = (await session.execute(text(
                "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})).scalar()
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the DELETE never waited on the dispatcher's locks")


@pytest.fixture
async def sessions(isolated: IsolatedEnvironment):
    engine = create_engine(isolated.database_url, instrument=False)
    yield session_factory(engine)
    await engine.dispose()


async def test_settling_attempts_while_the_endpoint_is_deleted_does_not_deadlock(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    first, second = await _endpoint_with_deliveries(sessions, 2)
    attempted_at = dt.datetime.now(dt.UTC)
    # The first attempt delivered; the second answered 410, which disables the endpoint.
    finished = [(first, AttemptResult(200, None, 5), attempted_at), (second, AttemptResult(410, None, 5), attempted_at)]

    async with sessions() as raw, raw.begin():
        dispatcher = PausingSession(raw)
        settling = asyncio.create_task(settle_attempts(dispatcher, finished, RetrySchedule()))  # type: ignore[arg-type]
        await asyncio.wait_for(dispatcher.paused.wait(), 10)

        async def delete() -> None:
            async with sessions() as session, session.begin():
                pid.set_result((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
                await delete_endpoint(session, TENANT, first.endpoint_id)

        pid: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        deleting = asyncio.create_task(delete())
        await _waiting_on_a_lock(sessions, await pid)
        dispatcher.resume.set()
        await asyncio.wait_for(settling, 20)
    await asyncio.wait_for(deleting, 20)  # no DeadlockDetectedError on either side

    async with sessions() as session:
        assert await WebhookStore(session).endpoint(TENANT, first.endpoint_id) is None


async def _deadlock_once(sessions: async_sessionmaker[AsyncSession], a: str, b: str, losers: list[str]) -> None:
    """Two transactions lock a then b and b then a; PostgreSQL aborts one of them with 40P01."""
    both_hold_one = asyncio.Barrier(2)

    async def transaction(name: str, one: str, other: str) -> None:
        async for attempt in transaction_attempts(sessions, attempts=3):
            async with attempt as session:
                await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": one})
                if attempt is first_attempts.setdefault(name, attempt):
                    await both_hold_one.wait()
                await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": other})
            if attempt.lost_to_contention:
                losers.append(name)

    first_attempts: dict[str, object] = {}
    await asyncio.wait_for(asyncio.gather(transaction("left", a, b), transaction("right", b, a)), 30)


async def test_a_transaction_that_deadlocks_runs_again_and_commits(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    losers: list[str] = []
    await _deadlock_once(sessions, "lock-a", "lock-b", losers)
    assert len(losers) == 1, "PostgreSQL aborted exactly one of the two, and it ran again and committed"


async def test_a_transaction_that_keeps_deadlocking_gives_up_as_contention(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    calls = 0

    async def always_deadlocked() -> None:
        nonlocal calls
        async for attempt in transaction_attempts(sessions, attempts=3, first_backoff_seconds=0.001):
            async with attempt as session:
                calls += 1
                await session.execute(text("SELECT 1"))
                raise _deadlock_error()

    with pytest.raises(TransactionContention):
        await always_deadlocked()
    assert calls == 3


def _deadlock_error() -> Exception:
    import asyncpg

    return asyncpg.exceptions.DeadlockDetectedError("deadlock detected")
