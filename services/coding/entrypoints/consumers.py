"""Coding's subscriptions."""

from services.coding.service_layer.handlers import code_received_claim, recode_corrected_claim
from shared.events.claim_events import ClaimReceived
from shared.events.intake_events import ClaimEncounterCorrected
from shared.messaging.topics import events_topic

TOPICS = [events_topic("intake")]
# claim.encounter_corrected: a minimal re-run of the first-pass review until coding's own re-coding lands.
HANDLERS = {ClaimReceived.event_type: code_received_claim,
            ClaimEncounterCorrected.event_type: recode_corrected_claim}
