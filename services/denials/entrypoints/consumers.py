"""Denials' subscriptions: payments and denials from remittance; billed claims and rejections from submission."""

from __future__ import annotations

from functools import partial

from services.denials.service_layer.handlers import apply_remittance, record_rejection, remember_submitted_claim
from services.denials.service_layer.policy import DenialsPolicy
from shared.events.claim_events import ClaimRejected, ClaimSubmitted, RemittancePosted
from shared.messaging.consumer import Handler
from shared.messaging.topics import events_topic

TOPICS = [events_topic("remittance"), events_topic("submission")]


def handlers_for(policy: DenialsPolicy) -> dict[str, Handler]:
    """Each subscribed event type with its handler, bound to the service's policy."""
    return {RemittancePosted.event_type: partial(apply_remittance, policy=policy),
            ClaimSubmitted.event_type: partial(remember_submitted_claim, policy=policy),
            ClaimRejected.event_type: partial(record_rejection, policy=policy)}
