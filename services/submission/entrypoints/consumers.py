"""Submission's subscriptions."""

from services.submission.service_layer.handlers import prepare_coded_claim
from shared.events.claim_events import ClaimCoded
from shared.messaging.topics import events_topic

TOPICS = [events_topic("coding")]
HANDLERS = {ClaimCoded.event_type: prepare_coded_claim}
