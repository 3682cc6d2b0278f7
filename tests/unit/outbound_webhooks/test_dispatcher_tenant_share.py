"""The dispatcher counts each tenant's sends under way and asks for no more than its share of the rest.

The store is stood in: what is under test is the bookkeeping (tests/integration/test_webhook_tenant_limits.py
shows the store honouring the allowances on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import pytest

from services.intake.domain.outbound_webhooks import AttemptResult, DueDelivery
from services.intake.entrypoints import webhook_dispatcher
from services.intake.entrypoints.webhook_dispatcher import OutboundWebhookSettings, WebhookDispatcher


def due(n: int, tenant_id: str) -> DueDelivery:
    return DueDelivery(delivery_id=f"msg_{n:032x}", endpoint_id=f"ep_{tenant_id}", tenant_id=tenant_id,
                       claim_id="00000000-0000-4000-8000-000000000001", url="https://pms.example/hook", body="{}",
                       signing_secrets=("whsec_dGVzdA==",), queued_at=dt.datetime.now(dt.UTC), window_failures=0,
                       traceparent=None)


class HeldSender:
    """Sends that finish only when released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def send(self, delivery: DueDelivery) -> AttemptResult:
        await self.release.wait()
        return AttemptResult(200, None, 1)


class StoreStandIn:
    """Hands out the backlog within the allowances it is given, as the store does, and records them."""

    def __init__(self, backlog: list[DueDelivery]):
        self.backlog = backlog
        self.asked: list[dict[str, Any]] = []

    async def take(self, _session: Any, _now: Any, limit: int, _lease: Any, *, per_endpoint: int,
                   allowances: Mapping[str, int] | None = None, per_tenant: int | None = None,
                   tenant_allowances: Mapping[str, int] | None = None) -> list[DueDelivery]:
        self.asked.append({"per_tenant": per_tenant, "tenant_allowances": dict(tenant_allowances or {})})
        taken: list[DueDelivery] = []
        for delivery in list(self.backlog):
            share = (tenant_allowances or {}).get(delivery.tenant_id, per_tenant or limit)
            if len(taken) < limit and sum(t.tenant_id == delivery.tenant_id for t in taken) < share:
                taken.append(delivery)
                self.backlog.remove(delivery)
        return taken


@asynccontextmanager
async def no_database(_sessions: Any) -> AsyncIterator[None]:
    yield None


async def test_a_tenant_with_sends_under_way_is_offered_only_what_is_left_of_its_share(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = StoreStandIn([due(n, "busy") for n in range(10)] + [due(100, "quiet")])
    monkeypatch.setattr(webhook_dispatcher, "take_due_deliveries", store.take)
    monkeypatch.setattr(webhook_dispatcher, "unit_of_work", no_database)
    sender = HeldSender()
    dispatcher = WebhookDispatcher(None, OutboundWebhookSettings(max_in_flight_per_tenant=3), sender)  # type: ignore[arg-type]

    assert await dispatcher.start_due() == 4  # three of the busy tenant's, the quiet tenant's one
    assert await dispatcher.start_due() == 0
    assert store.asked[1] == {"per_tenant": 3, "tenant_allowances": {"busy": 0, "quiet": 2}}

    sender.release.set()
    await asyncio.gather(*dispatcher._in_flight)
    assert await dispatcher.start_due() == 3  # the sends finished: the busy tenant's share is free again
    sender.release.clear()
    assert store.asked[2]["tenant_allowances"] == {}
    sender.release.set()
    await asyncio.gather(*dispatcher._in_flight)
