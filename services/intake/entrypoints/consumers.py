"""Intake's subscriptions: every service's claim events feed the status and timeline projection."""

from services.intake.service_layer.timeline import TimelineProjection
from shared.events import claim_events  # noqa: F401 - registers the contracts
from shared.events.registry import CONTRACTS
from shared.messaging.deliveries import BatchHandler
from shared.messaging.topics import SERVICES, events_topic

TIMELINE_TOPICS = [events_topic(service) for service in SERVICES]


def timeline_handlers() -> dict[str, BatchHandler]:
    """Every known claim event type goes to the projection, applied as a set per batch."""
    projection = TimelineProjection()
    return {event_type: projection for event_type in CONTRACTS.current if event_type.startswith("claim.")}
