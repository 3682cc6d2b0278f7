"""Intake's claim: an accepted encounter, its idempotency fingerprint and its received event."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from shared.contracts.encounter import Encounter
from shared.errors import DomainError
from shared.events.claim_events import ClaimReceived
from shared.events.envelope import EventEnvelope

SOURCE = "intake"


class DuplicateEncounter(DomainError):
    """The tenant already sent an encounter with this external id."""

    def __init__(self, existing_claim_id: str):
        super().__init__(f"an encounter with this external_id already exists as claim {existing_claim_id}")
        self.existing_claim_id = existing_claim_id


# What one claim event may weigh as published: under the broker's 1 MB record limit with room for the
# events downstream that carry the encounter again (claim.coded adds the coding to it).
MAX_EVENT_BYTES = 512 * 1024


class EncounterTooLarge(DomainError):
    """The encounter's claim.received would be larger than a claim event may be."""


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was used before with a different request body."""


@dataclass(frozen=True)
class NewClaim:
    """An accepted encounter as a claim: its id and its first event, claim.received (an envelope whose data
    is carried as its JSON, `payload`, written once by pydantic rather than dumped to a dict and again)."""

    claim_id: str
    tenant_id: str
    encounter: Encounter
    received: EventEnvelope  # data left empty: the payload is the data
    payload: bytes


def receive_encounter(tenant_id: str, encounter: Encounter) -> NewClaim:
    """Turn an accepted encounter into a claim with its first event, claim.received."""
    claim_id = str(uuid.uuid4())
    event = ClaimReceived(external_id=encounter.external_id, encounter=encounter)
    envelope = EventEnvelope(type=event.event_type, source=SOURCE, subject=claim_id, tenant_id=tenant_id,
                             schema_version=event.version, data={})
    payload = event.model_dump_json().encode()
    if len(payload) > MAX_EVENT_BYTES:
        raise EncounterTooLarge(f"the encounter is {len(payload)} bytes as a claim event; at most {MAX_EVENT_BYTES}")
    return NewClaim(claim_id, tenant_id, encounter, envelope, payload)


def request_fingerprint(encounter: Encounter) -> str:
    """SHA-256 of the encounter as validated (fields in the contract's order): a retry must send the same request."""
    return hashlib.sha256(encounter.model_dump_json().encode()).hexdigest()


def legacy_request_fingerprint(encounter: Encounter) -> str:
    """The fingerprint keys stored before 2026-12 carry (sorted-key JSON), still honoured for their 24 hours."""
    canonical = json.dumps(encounter.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
