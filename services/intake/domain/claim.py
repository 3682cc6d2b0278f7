"""Intake's claim: an accepted encounter, its idempotency fingerprint and its received event."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from shared.contracts.encounter import Encounter
from shared.errors import DomainError
from shared.events.claim_events import ClaimReceived
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import envelope_for

SOURCE = "intake"


class DuplicateEncounter(DomainError):
    """The tenant already sent an encounter with this external id."""

    def __init__(self, existing_claim_id: str):
        super().__init__(f"an encounter with this external_id already exists as claim {existing_claim_id}")
        self.existing_claim_id = existing_claim_id


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was used before with a different request body."""


@dataclass(frozen=True)
class NewClaim:
    claim_id: str
    tenant_id: str
    encounter: Encounter
    events: list[EventEnvelope]


def receive_encounter(tenant_id: str, encounter: Encounter) -> NewClaim:
    """Turn an accepted encounter into a claim with its first event, claim.received."""
    claim_id = str(uuid.uuid4())
    event = ClaimReceived(external_id=encounter.external_id, encounter=encounter)
    return NewClaim(claim_id, tenant_id, encounter,
                    [envelope_for(event, source=SOURCE, claim_id=claim_id, tenant_id=tenant_id)])


def request_fingerprint(body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON body: a retry must send the same request."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
