"""The simulator's memory: idempotent responses, what was received, control and claim numbers.

Everything lives in this process and is lost on restart (the simulator is a test double).
Mutations are synchronous, so within one event loop no request can interleave between a
check and the write that follows it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.clearinghouse.adjudication import ClaimAdjudication
from tools.clearinghouse.claims import SubmittedClaim

MAX_CONTROL_NUMBER = 999_999_999


class IdempotencyKeyReused(ValueError):
    """The same Idempotency-Key came with a different request body."""


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first response to an Idempotency-Key, replayed for every retry with that key."""

    status_code: int
    body: dict[str, Any]
    media_type: str
    request_digest: str


@dataclass(slots=True)
class ClaimRecord:
    """One received claim and what became of it."""

    claim: SubmittedClaim
    status: str  # the 277CA STC01
    accepted: bool
    payer_claim_control_number: str | None
    duplicate: bool  # this claim version had been received before
    adjudication: str | None = None  # paid, denied, reversed, none; None until the payer answers

    def as_json(self) -> dict[str, Any]:
        """The claim as GET /v1/interchanges lists it (no patient data)."""
        return {
            "patient_control_number": self.claim.patient_control_number,
            "frequency_code": self.claim.frequency_code,
            "payer_id": self.claim.payer_id,
            "charge": str(self.claim.total_charge),
            "original_reference": self.claim.original_reference,
            "status": "accepted" if self.accepted else "rejected",
            "claim_status": self.status,
            "payer_claim_control_number": self.payer_claim_control_number,
            "duplicate": self.duplicate,
            "adjudication": self.adjudication,
        }


@dataclass(slots=True)
class InterchangeRecord:
    """One received interchange, accepted or rejected."""

    interchange_control_number: str | None
    idempotency_key: str
    received_at: dt.datetime
    accepted: bool
    claims: list[ClaimRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The interchange as GET /v1/interchanges lists it."""
        return {
            "interchange_control_number": self.interchange_control_number,
            "idempotency_key": self.idempotency_key,
            "received_at": self.received_at.isoformat(),
            "status": "accepted" if self.accepted else "rejected",
            "problems": self.problems,
            "claims": [claim.as_json() for claim in self.claims],
        }


ClaimVersionKey = tuple[str, str, str, str, str]  # payer, billing NPI, PCN, frequency, REF*F8


def claim_version_key(claim: SubmittedClaim) -> ClaimVersionKey:
    """What makes two submissions the same claim version."""
    return (
        claim.payer_id,
        claim.billing_provider.npi,
        claim.patient_control_number,
        claim.frequency_code,
        claim.original_reference or "",
    )


def request_digest(body: bytes) -> str:
    """Fingerprint of a request body, to tell a replay from a reused key."""
    return hashlib.sha256(body).hexdigest()


class Ledger:
    """In-memory state of one simulator process."""

    def __init__(self, clock: Callable[[], dt.datetime]):
        self.clock = clock
        # seeded from the clock so a restarted simulator rarely reuses recent control numbers
        self._control_number = int(time.time()) % 100_000 * 10_000
        self._claim_number = 0
        self._trace_number = 0
        self._token = secrets.token_hex(3).upper()
        self._responses: dict[tuple[str, str], StoredResponse] = {}
        self._versions: dict[ClaimVersionKey, str] = {}
        self._seen_versions: set[ClaimVersionKey] = set()
        self._payer_of_claim_number: dict[str, str] = {}
        self._adjudications: dict[str, ClaimAdjudication] = {}
        self._reversed: set[str] = set()
        self.interchanges: list[InterchangeRecord] = []

    def stored_response(self, scope: str, key: str, digest: str) -> StoredResponse | None:
        """The first response given for this key, or None; IdempotencyKeyReused if the body differs."""
        stored = self._responses.get((scope, key))
        if stored is not None and stored.request_digest != digest:
            raise IdempotencyKeyReused(f"Idempotency-Key was already used with a different {scope} body")
        return stored

    def store_response(self, scope: str, key: str, response: StoredResponse) -> None:
        """Remember the response to replay for this key."""
        self._responses[(scope, key)] = response

    def next_control_number(self) -> int:
        """A fresh ISA13/GS06 for an outbound interchange."""
        self._control_number = self._control_number % MAX_CONTROL_NUMBER + 1
        return self._control_number

    def next_trace_number(self) -> str:
        """A TRN02 check/EFT trace number no other ERA of this process carries."""
        self._trace_number += 1
        return f"{self.clock():%y%j}{self._token}{self._trace_number:06d}"

    def note_claim_version(self, claim: SubmittedClaim) -> bool:
        """Record that this claim version arrived; True when it had arrived before."""
        key = claim_version_key(claim)
        seen = key in self._seen_versions
        self._seen_versions.add(key)
        return seen

    def payer_claim_control_number(self, claim: SubmittedClaim) -> tuple[str, bool]:
        """The number the payer gives this claim version (the same on resubmission), and whether it is new."""
        key = claim_version_key(claim)
        existing = self._versions.get(key)
        if existing is not None:
            return existing, False
        self._claim_number += 1
        number = f"{self.clock():%y%j}{self._token}{self._claim_number:07d}"
        self._versions[key] = number
        self._payer_of_claim_number[number] = claim.payer_id
        return number, True

    def payer_of(self, payer_claim_control_number: str) -> str | None:
        """The payer that issued a payer claim control number, None when it was never issued."""
        return self._payer_of_claim_number.get(payer_claim_control_number)

    def record_adjudication(self, result: ClaimAdjudication) -> None:
        """Keep the latest answer for a payer claim control number, for a later void to reverse."""
        self._adjudications[result.payer_claim_control_number] = result
        self._reversed.discard(result.payer_claim_control_number)

    def take_for_reversal(self, payer_claim_control_number: str) -> ClaimAdjudication | None:
        """The adjudication a void reverses, once; None when unpaid so far or already reversed."""
        if payer_claim_control_number in self._reversed:
            return None
        original = self._adjudications.get(payer_claim_control_number)
        if original is not None:
            self._reversed.add(payer_claim_control_number)
        return original
