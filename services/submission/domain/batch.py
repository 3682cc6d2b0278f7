"""Batching rules: which ready claim versions travel together in one 837 interchange, and when.

A batch holds claims of one tenant (a practice submits under its own account; the payer's 835
answers per submitter) for one clearinghouse and one payer, of one kind (837P or 837I never mix), and
at most one version of a claim (CLM01 must be unique in a file). It is sent once it is full or its
oldest claim has waited long enough.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from services.submission.domain.errors import SubmissionError


class InvalidBatchRules(SubmissionError):
    """Batch limits that cannot work (no room for a claim, a negative age)."""


@dataclass(frozen=True, slots=True)
class BatchRules:
    """When an open batch is sent: at max_claims claims, or max_age after it opened."""

    max_claims: int
    max_age: dt.timedelta

    def __post_init__(self) -> None:
        if self.max_claims < 1:
            raise InvalidBatchRules("max_claims must be at least 1")
        if self.max_age < dt.timedelta(0):
            raise InvalidBatchRules("max_age must not be negative")


@dataclass(frozen=True, slots=True)
class BatchKey:
    """What claims of one batch share."""

    tenant_id: str
    clearinghouse: str
    payer_id: str
    implementation_guide: str  # GS08: 005010X222A1 (837P) or 005010X223A2 (837I)


@dataclass(frozen=True, slots=True)
class ReadyClaim:
    """A claim version waiting for a batch."""

    submission_id: str
    claim_id: str
    key: BatchKey
    ready_at: dt.datetime | None = None  # when it was queued; a batch's age counts from its oldest claim


@dataclass(slots=True)
class OpenBatch:
    """A batch still taking claims."""

    batch_id: str
    key: BatchKey
    opened_at: dt.datetime
    claim_ids: set[str] = field(default_factory=set)

    @property
    def size(self) -> int:
        return len(self.claim_ids)

    def can_take(self, claim: ReadyClaim, rules: BatchRules) -> bool:
        """Same key, room left, and no other version of the same claim already inside."""
        return claim.key == self.key and self.size < rules.max_claims and claim.claim_id not in self.claim_ids

    def is_due(self, now: dt.datetime, rules: BatchRules) -> bool:
        """Full, or open for max_age."""
        return self.size >= rules.max_claims or now - self.opened_at >= rules.max_age


@dataclass(frozen=True, slots=True)
class Assignment:
    """A ready claim placed into a batch (new batches appear in `opened`)."""

    submission_id: str
    batch_id: str


def assign_to_batches(ready: Sequence[ReadyClaim], open_batches: list[OpenBatch], rules: BatchRules,
                      now: dt.datetime, new_batch_id: Callable[[], str]) -> tuple[list[Assignment], list[OpenBatch]]:
    """Place each ready claim (oldest first) into the first open batch that can take it, opening new
    batches as needed; returns the assignments and the batches opened. Mutates open_batches."""
    assignments: list[Assignment] = []
    opened: list[OpenBatch] = []
    for claim in ready:
        batch = next((b for b in open_batches if b.can_take(claim, rules)), None)
        if batch is None:
            batch = OpenBatch(new_batch_id(), claim.key, min(claim.ready_at or now, now))
            open_batches.append(batch)
            opened.append(batch)
        batch.claim_ids.add(claim.claim_id)
        assignments.append(Assignment(claim.submission_id, batch.batch_id))
    return assignments, opened


def due_batches(open_batches: Sequence[OpenBatch], now: dt.datetime, rules: BatchRules) -> list[OpenBatch]:
    """The open batches to close and send now."""
    return [batch for batch in open_batches if batch.is_due(now, rules)]


def submission_key(claim_id: str, claim_version: int) -> str:
    """The idempotency key of one submission: a claim version is sent once, whatever batch carries it."""
    return f"{claim_id}:{claim_version}"


def batch_idempotency_key(submission_keys: Sequence[str]) -> str:
    """The batch's key follows from the claim versions it carries: a resend of the same claims reads as
    the same request to the clearinghouse."""
    digest = hashlib.sha256("\n".join(sorted(submission_keys)).encode()).hexdigest()
    return f"batch-{digest[:48]}"


def batch_file_name(sender_id: str, interchange_control_number: int) -> str:
    """The SFTP file name: deterministic, so a resend finds the first upload."""
    return f"{sender_id}_{interchange_control_number:09d}.837"
