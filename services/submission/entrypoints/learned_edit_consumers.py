"""Submission's subscription to denials: accepted scrubber edits become the tenant's learned edits; retired
ones stop being enforced."""

from services.submission.service_layer.learned_edits import forget_learned_edit, keep_learned_edit
from shared.events.denial_events import ClaimScrubberEditAccepted, ClaimScrubberEditRetired
from shared.messaging.topics import events_topic

LEARNED_EDIT_TOPICS = [events_topic("denials")]
LEARNED_EDIT_HANDLERS = {ClaimScrubberEditAccepted.event_type: keep_learned_edit,
                         ClaimScrubberEditRetired.event_type: forget_learned_edit}
