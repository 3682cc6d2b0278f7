"""Coding's subscriptions: new claims and corrected encounters from intake, denials routed to coding."""

from __future__ import annotations

from functools import partial

from services.coding.domain.coding_engines import CodingEngines
from services.coding.service_layer.handlers import code_received_claim, recode_corrected_encounter, reopen_for_denial
from shared.events.claim_events import ClaimReceived
from shared.events.denial_events import ClaimCorrectionRequested
from shared.events.intake_events import ClaimEncounterCorrected
from shared.messaging.consumer import Handler
from shared.messaging.topics import events_topic

TOPICS = [events_topic("intake"), events_topic("denials")]


def coding_handlers(engines: CodingEngines) -> dict[str, Handler]:
    """The handlers, bound to the engines loaded at startup."""
    return {
        ClaimReceived.event_type: partial(code_received_claim, engines=engines),
        ClaimEncounterCorrected.event_type: partial(recode_corrected_encounter, engines=engines),
        ClaimCorrectionRequested.event_type: reopen_for_denial,
    }
