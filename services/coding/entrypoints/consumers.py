"""Coding's subscriptions: new claims and corrected encounters from intake, denials routed to coding, and
tenants' coding policies from the tenants topic."""

from __future__ import annotations

from services.coding.domain.coding_engines import CodingEngines
from services.coding.service_layer.handlers import CodingClaimEvents, reopen_for_denial
from services.coding.service_layer.tenant_policies import record_coding_policy
from shared.events.claim_events import ClaimReceived
from shared.events.denial_events import ClaimCorrectionRequested
from shared.events.intake_events import ClaimEncounterCorrected
from shared.events.tenant_events import TenantCodingPolicySet
from shared.messaging.consumer import Handler
from shared.messaging.deliveries import BatchHandler
from shared.messaging.topics import TENANTS_TOPIC, events_topic

TOPICS = [events_topic("intake"), events_topic("denials")]
TENANT_POLICY_TOPICS = [TENANTS_TOPIC]


def coding_handlers(engines: CodingEngines) -> dict[str, Handler | BatchHandler]:
    """The handlers, bound to the engines loaded at startup: new claims and corrected encounters as one set
    handler (a batch's claims of both kinds are coded together), denials routed to coding event by event."""
    claims = CodingClaimEvents(engines)
    return {
        ClaimReceived.event_type: claims,
        ClaimEncounterCorrected.event_type: claims,
        ClaimCorrectionRequested.event_type: reopen_for_denial,
    }


def tenant_policy_handlers() -> dict[str, Handler]:
    """The tenants topic's coding policies; its other records (API keys, signing keys) are skipped."""
    return {TenantCodingPolicySet.event_type: record_coding_policy}
