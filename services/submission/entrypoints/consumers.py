"""Submission's subscriptions: each a handler that applies a consumed batch as a set."""

from services.submission.service_layer.coded_claims import CodedClaims, HeldCorrections, RemittanceOutcomes
from services.submission.service_layer.secondary_billing import SecondaryBilling
from shared.events.claim_events import ClaimAccepted, ClaimCoded, ClaimRejected, RemittancePosted
from shared.events.remittance_events import ClaimSecondaryBillingReady
from shared.messaging.deliveries import BatchHandler
from shared.messaging.topics import events_topic

# Its own topic too: a re-coding that waited for a version's 277CA is billed once that answer is recorded.
TOPICS = [events_topic("coding"), events_topic("remittance"), events_topic("submission")]


def coded_claim_handlers() -> dict[str, BatchHandler]:
    """claim.coded for a claim already billed becomes a corrected version (service_layer/corrections.py)."""
    held_corrections = HeldCorrections()
    return {ClaimCoded.event_type: CodedClaims(),
            RemittancePosted.event_type: RemittanceOutcomes(),
            ClaimSecondaryBillingReady.event_type: SecondaryBilling(),
            ClaimAccepted.event_type: held_corrections,
            ClaimRejected.event_type: held_corrections}
