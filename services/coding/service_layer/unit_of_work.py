"""What coding's set handlers write through: the consumer's transaction as coding's stores and its event stream.

The handlers see the shapes below (typing.Protocol); `CodingUnitOfWork` is the real one, over the consumer's
session, and tests swap in-memory stores in through the handler's `unit_of_work` argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from services.coding.adapters.policy_repository import TenantPolicyStore
from services.coding.adapters.repository import TOPIC, CodingState, CodingStore
from services.coding.adapters.review_repository import ReviewStore
from services.coding.domain.coding_policy import CodingPolicy
from services.coding.domain.review_queue import ReviewItem
from shared.events.envelope import EventEnvelope
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery


class CodedClaims(Protocol):
    async def states_of(self, claims: Sequence[tuple[str, str]]) -> dict[str, CodingState]: ...

    async def save_all(self, codings: Sequence[dict[str, Any]]) -> None: ...


class ReviewItems(Protocol):
    async def add_all(self, items: Sequence[ReviewItem]) -> None: ...

    async def supersede_active(self, claim_ids: Sequence[str], closed_by: str) -> None: ...


class TenantPolicies(Protocol):
    async def policies_for(self, tenant_ids: set[str]) -> dict[str, CodingPolicy]: ...


class CodingWork(Protocol):
    """Coding's stores in one transaction, and the events it announces in it."""

    claims: CodedClaims
    reviews: ReviewItems
    policies: TenantPolicies

    def announce(self, envelopes: Sequence[EventEnvelope], cause: Delivery) -> None:
        """Queue events on coding's topic; each continues the trace of the delivery that caused it."""
        ...

    async def flush(self) -> dict[str, int]:
        """Append what was announced to the claims' streams and the outbox; each claim's new stream version."""
        ...


class CodingUnitOfWork:
    """The real CodingWork: coding's stores over the consumer's session, events through its unit of work."""

    def __init__(self, uow: ConsumerUnitOfWork):
        self._uow = uow
        self.claims = CodingStore(uow.session)
        self.reviews = ReviewStore(uow.session)
        self.policies = TenantPolicyStore(uow.session)

    def announce(self, envelopes: Sequence[EventEnvelope], cause: Delivery) -> None:
        self._uow.append(TOPIC, envelopes, cause=cause)

    async def flush(self) -> dict[str, int]:
        return await self._uow.flush()
