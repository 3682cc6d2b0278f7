"""Submission's subscriptions."""

from services.submission.service_layer.corrections import apply_coded_claim, note_remittance, release_held_correction
from services.submission.service_layer.secondary_billing import bill_next_payer
from shared.events.claim_events import ClaimAccepted, ClaimCoded, ClaimRejected, RemittancePosted
from shared.events.remittance_events import ClaimSecondaryBillingReady
from shared.messaging.topics import events_topic

# Its own topic too: a re-coding that waited for a version's 277CA is billed once that answer is recorded.
TOPICS = [events_topic("coding"), events_topic("remittance"), events_topic("submission")]
# claim.coded for a claim already billed becomes a corrected version (service_layer/corrections.py).
HANDLERS = {ClaimCoded.event_type: apply_coded_claim,
            RemittancePosted.event_type: note_remittance,
            ClaimSecondaryBillingReady.event_type: bill_next_payer,
            ClaimAccepted.event_type: release_held_correction,
            ClaimRejected.event_type: release_held_correction}
