"""Outbound webhook use cases: manage endpoints, queue status changes, take and settle deliveries.

Like every handler here, none of these commits: the caller's unit of work does.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters.webhook_repository import WebhookStore
from services.intake.domain.outbound_webhooks import (
    PREVIOUS_SECRET_GRACE,
    STATUS_CHANGED,
    AttemptResult,
    DeliveryNotFound,
    DeliveryStatus,
    DeliveryStillPending,
    DueDelivery,
    EndpointDisabled,
    EndpointNotFound,
    EndpointStatus,
    Outcome,
    RetrySchedule,
    StatusChange,
    TooManyEndpoints,
    decide,
    encode_body,
    forwarded_event_payload,
    new_delivery_id,
    new_endpoint_id,
    new_endpoint_secret,
    status_changed_payload,
)
from shared.events.envelope import EventEnvelope
from shared.telemetry import current_traceparent


async def register_endpoint(session: AsyncSession, tenant_id: str, url: str, description: str | None,
                            event_types: list[str], max_endpoints: int) -> dict[str, Any]:
    """Create an endpoint; the answer carries its signing secret, which is never shown again.

    Raises TooManyEndpoints when the tenant already has max_endpoints (counted under a per-tenant
    lock, so concurrent registrations cannot pass the limit together)."""
    store = WebhookStore(session)
    if await store.count_endpoints_locked(tenant_id) >= max_endpoints:
        raise TooManyEndpoints(max_endpoints)
    secret = new_endpoint_secret()
    endpoint = await store.add_endpoint({
        "endpoint_id": new_endpoint_id(), "tenant_id": tenant_id, "url": url, "description": description,
        "event_types": sorted(set(event_types)), "secret": secret, "status": EndpointStatus.ENABLED})
    return {**endpoint, "secret": secret}


async def list_endpoints(session: AsyncSession, tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's endpoints, oldest first, without secrets."""
    return await WebhookStore(session).tenant_endpoints(tenant_id)


async def delete_endpoint(session: AsyncSession, tenant_id: str, endpoint_id: str) -> None:
    """Forget the endpoint, its secret and its delivery history."""
    if not await WebhookStore(session).delete_endpoint(tenant_id, endpoint_id):
        raise EndpointNotFound(endpoint_id)


async def rotate_endpoint_secret(session: AsyncSession, tenant_id: str, endpoint_id: str,
                                 now: dt.datetime) -> dict[str, Any]:
    """Issue a new secret; the old one keeps signing beside it for the grace period."""
    secret = new_endpoint_secret()
    endpoint = await WebhookStore(session).rotate_secret(tenant_id, endpoint_id, secret, now + PREVIOUS_SECRET_GRACE)
    if endpoint is None:
        raise EndpointNotFound(endpoint_id)
    return {**endpoint, "secret": secret}


async def enqueue_status_change(session: AsyncSession, change: StatusChange, now: dt.datetime) -> int:
    """Queue one delivery of the change per subscribed endpoint; returns how many were queued.

    Runs in the transaction that changed the status, so a change is never lost nor sent for a
    rolled-back projection; a change already queued for an endpoint is not queued again.
    """
    store = WebhookStore(session)
    endpoint_ids = await store.subscribed_endpoints(change.tenant_id, STATUS_CHANGED)
    if not endpoint_ids:
        return 0
    body = encode_body(status_changed_payload(change, now))
    traceparent = current_traceparent()
    return await store.enqueue([{
        "delivery_id": new_delivery_id(), "endpoint_id": endpoint_id, "tenant_id": change.tenant_id,
        "event_type": STATUS_CHANGED, "event_id": change.event_id, "claim_id": change.claim_id,
        "claim_status": change.status, "body": body, "traceparent": traceparent,
        "status": DeliveryStatus.PENDING, "queued_at": now, "next_attempt_at": now,
    } for endpoint_id in endpoint_ids])


async def enqueue_forwarded_event(session: AsyncSession, envelope: EventEnvelope, claim_status: str,
                                  now: dt.datetime) -> int:
    """Queue one delivery of a forwarded claim event (a deadline alert) per subscribed endpoint."""
    store = WebhookStore(session)
    endpoint_ids = await store.subscribed_endpoints(envelope.tenant_id, envelope.type)
    if not endpoint_ids:
        return 0
    body = encode_body(forwarded_event_payload(envelope.type, envelope.claim_id, envelope.id, envelope.time,
                                               envelope.data, now))
    return await store.enqueue([{
        "delivery_id": new_delivery_id(), "endpoint_id": endpoint_id, "tenant_id": envelope.tenant_id,
        "event_type": envelope.type, "event_id": envelope.id, "claim_id": envelope.claim_id,
        "claim_status": claim_status, "body": body, "traceparent": current_traceparent(),
        "status": DeliveryStatus.PENDING, "queued_at": now, "next_attempt_at": now,
    } for endpoint_id in endpoint_ids])


async def list_deliveries(session: AsyncSession, tenant_id: str, endpoint_id: str, *, limit: int,
                          before_sequence: int | None, status: str | None) -> list[dict[str, Any]]:
    """A page of the endpoint's deliveries, newest first, with every attempt."""
    store = WebhookStore(session)
    if await store.endpoint(tenant_id, endpoint_id) is None:
        raise EndpointNotFound(endpoint_id)
    return await store.endpoint_deliveries(tenant_id, endpoint_id, limit=limit, before_sequence=before_sequence,
                                           status=status)


async def replay_delivery(session: AsyncSession, tenant_id: str, delivery_id: str,
                          now: dt.datetime) -> dict[str, Any]:
    """Queue a finished delivery again, same webhook-id and body, with a fresh retry window."""
    store = WebhookStore(session)
    found = await store.delivery_for_replay(tenant_id, delivery_id)
    if found is None:
        raise DeliveryNotFound(delivery_id)
    if found["endpoint_status"] != EndpointStatus.ENABLED:
        raise EndpointDisabled(found["endpoint_id"])
    if found["status"] == DeliveryStatus.PENDING:
        raise DeliveryStillPending(delivery_id)
    return await store.requeue(delivery_id, now)


async def take_due_deliveries(session: AsyncSession, now: dt.datetime, limit: int, lease: dt.timedelta, *,
                              per_endpoint: int, allowances: Mapping[str, int] | None = None,
                              per_tenant: int | None = None,
                              tenant_allowances: Mapping[str, int] | None = None) -> list[DueDelivery]:
    """Deliveries due now, leased to this instance for `lease`: at most `per_endpoint` (or its allowance) each
    endpoint and `per_tenant` (or its allowance) each tenant."""
    return await WebhookStore(session).take_due(now, limit, now + lease, per_endpoint=per_endpoint,
                                                allowances=allowances, per_tenant=per_tenant,
                                                tenant_allowances=tenant_allowances)


async def settle_attempts(session: AsyncSession, finished: Sequence[tuple[DueDelivery, AttemptResult, dt.datetime]],
                          schedule: RetrySchedule, rng: random.Random | None = None) -> list[Outcome]:
    """Record finished attempts and decide each delivery's fate: delivered, retried later, expired or cancelled.

    Every row is locked up front in the order an endpoint's DELETE takes them (endpoints, then deliveries,
    by id): attempts finish in any order, and locking as they came deadlocked against a DELETE."""
    store = WebhookStore(session)
    await store.lock_for_settling([due.endpoint_id for due, _, _ in finished],
                                  [due.delivery_id for due, _, _ in finished])
    outcomes = []
    for due, result, attempted_at in finished:
        outcome, next_attempt_at = decide(result, queued_at=due.queued_at, failed_attempts_before=due.window_failures,
                                          now=attempted_at, schedule=schedule, rng=rng)
        await store.record_attempt(due, result, outcome, attempted_at, next_attempt_at)
        outcomes.append(outcome)
    return outcomes
