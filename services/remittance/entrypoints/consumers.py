"""Remittance's subscriptions."""

from services.remittance.service_layer.posting import register_submitted_claim
from shared.events.claim_events import ClaimSubmitted
from shared.messaging.topics import events_topic

TOPICS = [events_topic("submission")]
HANDLERS = {ClaimSubmitted.event_type: register_submitted_claim}
