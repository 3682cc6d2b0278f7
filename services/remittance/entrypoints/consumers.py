"""Remittance's subscriptions: what was billed (submission) and the encounter behind it (intake)."""

from services.remittance.service_layer.encounters import register_received_claim
from services.remittance.service_layer.posting import register_submitted_claim
from shared.events.claim_events import ClaimReceived, ClaimSubmitted
from shared.messaging.topics import events_topic

TOPICS = [events_topic("submission")]
HANDLERS = {ClaimSubmitted.event_type: register_submitted_claim}
ENCOUNTER_TOPICS = [events_topic("intake")]
ENCOUNTER_HANDLERS = {ClaimReceived.event_type: register_received_claim}
