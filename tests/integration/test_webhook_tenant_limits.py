"""A tenant's share of outbound webhooks, on real PostgreSQL: sends in flight per tenant, endpoints per tenant.

One tenant with a large backlog (or many endpoints) must not take every send slot of the dispatcher,
and may not register endpoints without end; concurrent registrations cannot pass the limit together.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.adapters.webhook_repository import WebhookStore
from services.intake.domain.outbound_webhooks import (
    DeliveryStatus,
    EndpointStatus,
    TooManyEndpoints,
    new_delivery_id,
    new_endpoint_id,
)
from services.intake.service_layer.webhook_deliveries import register_endpoint, take_due_deliveries
from shared.db import create_engine, session_factory
from tests.support.environment import IsolatedEnvironment

pytestmark = pytest.mark.integration
LEASE = dt.timedelta(minutes=2)


@pytest.fixture
async def sessions(isolated: IsolatedEnvironment):
    engine = create_engine(isolated.database_url, instrument=False)
    yield session_factory(engine)
    await engine.dispose()


def new_tenant() -> str:
    return f"limits-{uuid.uuid4().hex[:12]}"


async def _backlog(sessions: async_sessionmaker[AsyncSession], tenant_id: str, endpoints: int,
                   per_endpoint: int, due_at: dt.datetime) -> None:
    async with sessions() as session, session.begin():
        store = WebhookStore(session)
        for _ in range(endpoints):
            endpoint_id = new_endpoint_id()
            await store.add_endpoint({"endpoint_id": endpoint_id, "tenant_id": tenant_id,
                                      "url": "https://pms.example/hook", "description": None,
                                      "event_types": ["claim.status_changed"], "secret": "whsec_test",
                                      "status": EndpointStatus.ENABLED})
            await store.enqueue([{
                "delivery_id": new_delivery_id(), "endpoint_id": endpoint_id, "tenant_id": tenant_id,
                "event_type": "claim.status_changed", "event_id": f"event-{uuid.uuid4().hex}",
                "claim_id": str(uuid.uuid4()), "claim_status": "received", "body": "{}", "traceparent": None,
                "status": DeliveryStatus.PENDING, "queued_at": due_at, "next_attempt_at": due_at,
            } for _ in range(per_endpoint)])


async def test_no_tenant_gets_more_than_its_share_of_sends_in_flight(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    busy, quiet = new_tenant(), new_tenant()
    # the busy tenant's backlog is older: taken in due order alone, it would fill every slot
    now = dt.datetime.now(dt.UTC)
    await _backlog(sessions, busy, endpoints=3, per_endpoint=8, due_at=now - dt.timedelta(hours=1))
    await _backlog(sessions, quiet, endpoints=1, per_endpoint=2, due_at=now)
    async with sessions() as session:  # rolled back: other tests' rows keep their leases
        due = await take_due_deliveries(session, now, 10_000, LEASE, per_endpoint=20, per_tenant=5)
    taken = Counter(d.tenant_id for d in due)
    assert taken[busy] == 5 and taken[quiet] == 2


async def test_a_tenants_allowance_counts_the_sends_it_already_has_under_way(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    busy = new_tenant()
    now = dt.datetime.now(dt.UTC)
    await _backlog(sessions, busy, endpoints=2, per_endpoint=5, due_at=now)
    async with sessions() as session:
        none_left = await take_due_deliveries(session, now, 10_000, LEASE, per_endpoint=20, per_tenant=5,
                                              tenant_allowances={busy: 0})
        two_left = await take_due_deliveries(session, now, 10_000, LEASE, per_endpoint=20, per_tenant=5,
                                             tenant_allowances={busy: 2})
    assert [d for d in none_left if d.tenant_id == busy] == []
    assert len([d for d in two_left if d.tenant_id == busy]) == 2


async def test_the_endpoint_limit_holds_and_concurrent_registrations_cannot_pass_it_together(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    tenant = new_tenant()

    async def register(n: int) -> str:
        try:
            async with sessions() as session, session.begin():
                await register_endpoint(session, tenant, f"https://pms.example/hook/{n}", None,
                                        ["claim.status_changed"], max_endpoints=3)
        except TooManyEndpoints as refused:
            assert refused.limit == 3
            return "refused"
        return "registered"

    outcomes = Counter(await asyncio.gather(*(register(n) for n in range(8))))
    assert outcomes == {"registered": 3, "refused": 5}
    async with sessions() as session:
        assert len(await WebhookStore(session).tenant_endpoints(tenant)) == 3
