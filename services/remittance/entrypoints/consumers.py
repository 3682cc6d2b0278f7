"""Remittance's subscriptions: what was billed (submission), the encounter behind it (intake), and whom each
payee identifier belongs to (the tenants topic)."""

from services.remittance.service_layer.encounters import register_received_claim
from services.remittance.service_layer.payees import project_payee_identifiers
from services.remittance.service_layer.posting import register_submitted_claim
from shared.events.claim_events import ClaimReceived, ClaimSubmitted
from shared.events.tenant_events import PayeeIdentifiersSet
from shared.messaging.topics import TENANTS_TOPIC, events_topic

TOPICS = [events_topic("submission")]
HANDLERS = {ClaimSubmitted.event_type: register_submitted_claim}
ENCOUNTER_TOPICS = [events_topic("intake")]
ENCOUNTER_HANDLERS = {ClaimReceived.event_type: register_received_claim}
PAYEE_TOPICS = [TENANTS_TOPIC]
PAYEE_HANDLERS = {PayeeIdentifiersSet.event_type: project_payee_identifiers}
