"""Learned edits: keep the edits a tenant accepted in denials, and run them with the bundled library."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.learned_edits_store import LearnedEditStore
from services.submission.domain.scrubber import ScrubContext, ScrubResult
from services.submission.domain.scrubber.learned_edits import learned_library
from services.submission.domain.scrubber.library import EditLibrary
from shared.contracts.encounter import Encounter
from shared.events.denial_events import ClaimScrubberEditAccepted, ClaimScrubberEditRetired
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery, DeliveryFailed


class LearnedEditsAccepted:
    """claim.scrubber_edit_accepted: store each accepted edit for its tenant (one statement for the batch); a
    redelivered acceptance changes nothing."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        rows = []
        for delivery in deliveries:
            event: ClaimScrubberEditAccepted = _event_of(delivery)
            rows.append({"tenant_id": delivery.tenant_id, "edit_id": event.edit_id, "proposal_id": event.proposal_id,
                         "reason_code": event.reason_code, "message": event.message, "fix_hint": event.fix_hint,
                         "condition": event.condition.model_dump(mode="json"), "accepted_at": delivery.envelope.time})
        await LearnedEditStore(uow.session).add(rows)


class LearnedEditsRetired:
    """claim.scrubber_edit_retired: stop enforcing each retired edit for its tenant (one statement for the
    batch); a redelivered retirement changes nothing."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        rows = []
        for delivery in deliveries:
            event: ClaimScrubberEditRetired = _event_of(delivery)
            rows.append({"tenant_id": delivery.tenant_id, "proposal_id": event.proposal_id, "edit_id": event.edit_id,
                         "reason": event.reason, "retired_by": event.retired_by,
                         "retired_at": delivery.envelope.time})
        await LearnedEditStore(uow.session).retire(rows)


def _event_of(delivery: Delivery) -> Any:
    try:
        return delivery.event
    except Exception as error:
        raise DeliveryFailed(delivery, error) from error


def with_learned_edits(learned: EditLibrary | None, encounter: Encounter, context: ScrubContext,
                       bundled: ScrubResult) -> ScrubResult:
    """The bundled library's result plus the findings of the tenant's learned edits (None: it has none)."""
    if learned is None:
        return bundled
    found = learned.scrub(encounter, context)
    return ScrubResult(found.library_version, bundled.findings + found.findings)


async def learned_libraries(session: AsyncSession, tenant_ids: Collection[str],
                            bundled_version: str) -> dict[str, EditLibrary]:
    """Each tenant's learned edits in force as a library, read for every tenant in one query."""
    rows = await LearnedEditStore(session).in_force_by_tenant(tenant_ids)
    return {tenant_id: learned_library(bundled_version, edits) for tenant_id, edits in rows.items()}
