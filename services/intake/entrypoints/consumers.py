"""Intake's subscriptions: every service's claim events feed the status and timeline projection."""

from services.intake.service_layer.handlers import project_lifecycle_event
from shared.events import claim_events  # noqa: F401 - registers the contracts
from shared.events.registry import CONTRACTS
from shared.messaging.topics import SERVICES, events_topic

TIMELINE_TOPICS = [events_topic(service) for service in SERVICES]


def timeline_handlers() -> dict:
    """Every known claim event type goes to the projection."""
    return {event_type: project_lifecycle_event for event_type in CONTRACTS.current
            if event_type.startswith("claim.")}
