"""Denials' subscriptions: payments and denials from remittance; billed claims and rejections from submission."""

from __future__ import annotations

from services.denials.service_layer.handlers import DenialsClaimEvents
from services.denials.service_layer.policy import DenialsPolicy
from shared.events.claim_events import ClaimRejected, ClaimSubmitted, RemittancePosted
from shared.messaging.deliveries import BatchHandler
from shared.messaging.topics import events_topic

TOPICS = [events_topic("remittance"), events_topic("submission")]


def handlers_for(policy: DenialsPolicy) -> dict[str, BatchHandler]:
    """Each subscribed event type with the one set handler, bound to the service's policy."""
    handler = DenialsClaimEvents(policy)
    return dict.fromkeys((RemittancePosted.event_type, ClaimSubmitted.event_type, ClaimRejected.event_type), handler)
