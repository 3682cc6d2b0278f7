"""Coding's subscriptions: new claims and corrected encounters from intake, denials routed to coding, and
tenants' coding policies from the tenants topic."""

from __future__ import annotations

from functools import partial

from services.coding.domain.coding_engines import CodingEngines
from services.coding.service_layer.handlers import code_received_claim, recode_corrected_encounter, reopen_for_denial
from services.coding.service_layer.tenant_policies import record_coding_policy
from shared.events.claim_events import ClaimReceived
from shared.events.denial_events import ClaimCorrectionRequested
from shared.events.intake_events import ClaimEncounterCorrected
from shared.events.tenant_events import TenantCodingPolicySet
from shared.messaging.consumer import Handler
from shared.messaging.topics import TENANTS_TOPIC, events_topic

TOPICS = [events_topic("intake"), events_topic("denials")]
TENANT_POLICY_TOPICS = [TENANTS_TOPIC]


def coding_handlers(engines: CodingEngines) -> dict[str, Handler]:
    """The handlers, bound to the engines loaded at startup."""
    return {
        ClaimReceived.event_type: partial(code_received_claim, engines=engines),
        ClaimEncounterCorrected.event_type: partial(recode_corrected_encounter, engines=engines),
        ClaimCorrectionRequested.event_type: reopen_for_denial,
    }


def tenant_policy_handlers() -> dict[str, Handler]:
    """The tenants topic's coding policies; its other records (API keys, signing keys) are skipped."""
    return {TenantCodingPolicySet.event_type: record_coding_policy}
