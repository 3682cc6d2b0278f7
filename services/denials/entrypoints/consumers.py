"""Denials' subscriptions."""

from services.denials.service_layer.handlers import record_denial
from shared.events.claim_events import RemittancePosted
from shared.messaging.topics import events_topic

TOPICS = [events_topic("remittance")]
HANDLERS = {RemittancePosted.event_type: record_denial}
