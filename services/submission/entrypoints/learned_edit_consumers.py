"""Submission's subscription to denials: accepted scrubber edits become the tenant's learned edits; retired
ones stop being enforced."""

from services.submission.service_layer.learned_edits import LearnedEditsAccepted, LearnedEditsRetired
from shared.events.denial_events import ClaimScrubberEditAccepted, ClaimScrubberEditRetired
from shared.messaging.topics import events_topic

LEARNED_EDIT_TOPICS = [events_topic("denials")]
LEARNED_EDIT_HANDLERS = {ClaimScrubberEditAccepted.event_type: LearnedEditsAccepted(),
                         ClaimScrubberEditRetired.event_type: LearnedEditsRetired()}
