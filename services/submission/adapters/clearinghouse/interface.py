"""What the dispatcher needs of a clearinghouse, however it is reached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ClearinghouseUnavailable(Exception):
    """Could not reach the clearinghouse, or it failed for now (5xx, 408, 429, network): try again later."""


class ClearinghouseRefused(Exception):
    """The clearinghouse refused the interchange (4xx): sending it again will not help."""


@dataclass(frozen=True, slots=True)
class OutboundBatch:
    """One batch's interchange and the names that make a resend recognisable as the same batch."""

    batch_id: str
    idempotency_key: str  # the HTTP Idempotency-Key
    file_name: str  # the SFTP file name: deterministic, so a resend can see the first upload
    interchange_control_number: int
    x12: str


@dataclass(frozen=True, slots=True)
class SubmissionReceipt:
    """The clearinghouse took the batch; `replayed` when it had already received it."""

    reference: str
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class InboundAcknowledgement:
    """A 999 or 277CA the clearinghouse left for us."""

    delivery_id: str  # stable per file: picking it up twice is a duplicate, not a second ack
    kind: str  # x12.999 or x12.277ca
    x12: str
    handle: str  # what archive() needs to take it out of the pickup folder


class ClearinghouseAdapter(Protocol):
    """Submit batches; clearinghouses that do not push acks by webhook also have them picked up."""

    name: str
    picks_up_acknowledgements: bool

    async def submit(self, batch: OutboundBatch) -> SubmissionReceipt:
        """Deliver the batch exactly once from the clearinghouse's point of view (resends are recognised)."""
        ...

    async def pending_acknowledgements(self) -> list[InboundAcknowledgement]:
        """Acks waiting to be picked up (empty for push-only clearinghouses)."""
        ...

    async def archive(self, acknowledgement: InboundAcknowledgement) -> None:
        """Move a processed ack out of the pickup folder."""
        ...

    async def close(self) -> None: ...
