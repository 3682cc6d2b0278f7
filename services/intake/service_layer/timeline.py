"""Intake's projection of every service's claim events: the timeline, the claim's status and balances, and the
webhooks a status change calls for, applied as a set per consumed batch (two statements, whatever its size).

Decoded only as far as it reads: the envelope's type, time and data fields; a remittance posting is the one
event whose typed contract is validated (its amounts move the claim's balances).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.intake.adapters.lifecycle_metrics import record_lifecycle_event
from services.intake.adapters.timeline_projection import (
    ProjectedClaim,
    ProjectedEvent,
    QueuedWebhook,
    TimelineProjectionStore,
)
from services.intake.domain.balances import remittance_change
from services.intake.domain.outbound_webhooks import (
    FORWARDED_FIELDS,
    STATUS_CHANGED,
    StatusChange,
    encode_body,
    forwarded_event_payload,
    status_changed_payload,
)
from services.intake.domain.status import status_after, timeline_summary
from shared.events.claim_events import RemittancePosted
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery


def projected_event(delivery: Delivery) -> ProjectedEvent:
    """What one delivery writes: its timeline row (under its own claim's trace id), status and money."""
    envelope = delivery.envelope
    event = ProjectedEvent(
        event_id=envelope.id, claim_id=envelope.subject, tenant_id=envelope.tenant_id, event_type=envelope.type,
        source=envelope.source, occurred_at=envelope.time, trace_id=delivery.trace_id,
        status=status_after(envelope.type, envelope.data), summary=timeline_summary(envelope.type, envelope.data))
    if envelope.type != RemittancePosted.event_type:
        return event
    change = remittance_change(delivery.event)
    return ProjectedEvent(**{**_fields(event), "billed": change.billed, "paid": change.paid,
                             "adjusted": change.adjusted, "patient_responsibility": change.patient_responsibility,
                             "posts_money": True})


def _fields(event: ProjectedEvent) -> dict:
    return {name: getattr(event, name) for name in event.__slots__}


def status_change(delivery: Delivery, claim: ProjectedClaim) -> StatusChange:
    return StatusChange(tenant_id=claim.tenant_id, claim_id=claim.claim_id, external_id=claim.external_id,
                        status=claim.status, previous_status=claim.previous_status,
                        event_type=delivery.envelope.type, event_id=delivery.envelope.id,
                        occurred_at=delivery.envelope.time)


class TimelineProjection:
    """The intake.timeline consumer's handler for every claim event type."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        store = TimelineProjectionStore(uow.session)
        moved = {claim.event_id: claim for claim in await store.project([projected_event(d) for d in deliveries])}
        now = dt.datetime.now(dt.UTC)
        webhooks = []
        forwarded = [d for d in deliveries if d.envelope.type in FORWARDED_FIELDS]
        statuses = await store.current_statuses([d.claim_id for d in forwarded]) if forwarded else {}
        for delivery in deliveries:
            claim = moved.get(delivery.envelope.id)
            change = status_change(delivery, claim) if claim is not None else None
            record_lifecycle_event(delivery.envelope, change, claim.received_at if claim is not None else None)
            if change is not None:
                webhooks.append(QueuedWebhook(
                    tenant_id=change.tenant_id, event_type=STATUS_CHANGED, event_id=change.event_id,
                    claim_id=change.claim_id, claim_status=change.status,
                    body=encode_body(status_changed_payload(change, now)), traceparent=delivery.traceparent,
                    queued_at=now))
            if delivery in forwarded and delivery.claim_id in statuses:
                envelope = delivery.envelope
                webhooks.append(QueuedWebhook(
                    tenant_id=envelope.tenant_id, event_type=envelope.type, event_id=envelope.id,
                    claim_id=envelope.subject, claim_status=statuses[delivery.claim_id],
                    body=encode_body(forwarded_event_payload(envelope.type, envelope.subject, envelope.id,
                                                             envelope.time, envelope.data, now)),
                    traceparent=delivery.traceparent, queued_at=now))
        await store.queue_webhooks(webhooks)
