"""Coding's subscriptions."""

from services.coding.service_layer.handlers import code_received_claim
from shared.events.claim_events import ClaimReceived
from shared.messaging.topics import events_topic

TOPICS = [events_topic("intake")]
HANDLERS = {ClaimReceived.event_type: code_received_claim}
