"""Remittance's subscriptions: what was billed (submission), the encounter behind it (intake), and whom each
payee identifier belongs to (the tenants topic)."""

from services.remittance.service_layer.claim_arrivals import ReceivedClaims, SubmittedClaims
from services.remittance.service_layer.payees import project_payee_identifiers
from shared.events.claim_events import ClaimReceived, ClaimSubmitted
from shared.events.tenant_events import PayeeIdentifiersSet
from shared.messaging.topics import TENANTS_TOPIC, events_topic

TOPICS = [events_topic("submission")]
HANDLERS = {ClaimSubmitted.event_type: SubmittedClaims()}
ENCOUNTER_TOPICS = [events_topic("intake")]
ENCOUNTER_HANDLERS = {ClaimReceived.event_type: ReceivedClaims()}
PAYEE_TOPICS = [TENANTS_TOPIC]
PAYEE_HANDLERS = {PayeeIdentifiersSet.event_type: project_payee_identifiers}
