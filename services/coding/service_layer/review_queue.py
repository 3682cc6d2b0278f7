"""The coder's use cases: take a review item, decide on its codes, resolve it into claim.coded.

Every change appends an event to the claim's stream in the same transaction as the item's new
state: `claim.coding_review_assigned`, `claim.coding_decision_recorded` (who, what code, which
action, why) and, on resolution, `claim.coded` with the coder's code set. Those events are the
claim's audit trail; intake shows them on its timeline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.coding.adapters.repository import CodingStore
from services.coding.adapters.review_repository import ReviewStore, item_from_row
from services.coding.domain import coder_decisions
from services.coding.domain.coder_decisions import CodeDecision
from services.coding.domain.coding_decision import edit_findings
from services.coding.domain.coding_engines import CodingEngines
from services.coding.domain.review_queue import ReviewItem, ReviewNotFound
from services.coding.service_layer.coded_records import claim_coded, coded_row
from services.coding.service_layer.release_coverage import code_sets_used
from shared.events.coding_events import ClaimCodingDecisionRecorded, ClaimCodingReviewAssigned
from shared.events.registry import ClaimEvent
from shared.messaging.outbox import envelope_for

SOURCE = "coding"


async def _load(session: AsyncSession, tenant_id: str, review_id: str, for_update: bool = True) -> ReviewItem:
    row = await ReviewStore(session).row(tenant_id, review_id, for_update=for_update)
    if row is None:
        raise ReviewNotFound(f"no review {review_id} for this tenant")
    return item_from_row(row)


async def _announce(session: AsyncSession, item: ReviewItem, event: ClaimEvent) -> int:
    store = CodingStore(session)
    envelope = envelope_for(event, source=SOURCE, claim_id=item.claim_id, tenant_id=item.tenant_id)
    return await store.record(item.claim_id, [envelope], await store.stream_version(item.claim_id))


async def review_details(session: AsyncSession, tenant_id: str, review_id: str) -> tuple[dict[str, Any], list]:
    """The review row and the decisions taken on it so far."""
    reviews = ReviewStore(session)
    row = await reviews.row(tenant_id, review_id)
    if row is None:
        raise ReviewNotFound(f"no review {review_id} for this tenant")
    return row, await reviews.decisions(review_id)


async def claim_review(session: AsyncSession, tenant_id: str, review_id: str, principal: str,
                       reassign: bool = False) -> ReviewItem:
    """Give the item to the calling coder (or take it from another with reassign)."""
    item = await _load(session, tenant_id, review_id)
    previous = item.assigned_to
    if coder_decisions.assign(item, principal, reassign):
        await ReviewStore(session).save(item, assigned=True)
        await _announce(session, item, ClaimCodingReviewAssigned(review_id=review_id, assigned_to=principal,
                                                                 assigned_by=principal if previous is None
                                                                 else f"{principal} (from {previous})"))
    return item


async def decide_on_code(session: AsyncSession, tenant_id: str, review_id: str, principal: str,
                         decision: CodeDecision) -> ReviewItem:
    """Apply and record one decision on the item's codes."""
    item = await _load(session, tenant_id, review_id)
    record = coder_decisions.decide(item, principal, decision)
    reviews = ReviewStore(session)
    await reviews.save(item)
    await reviews.add_decision(item, principal, record)
    await _announce(session, item, ClaimCodingDecisionRecorded(
        review_id=review_id, decided_by=principal, action=record.action, kind=record.kind,  # type: ignore[arg-type]
        code=record.code, new_code=record.new_code, line_number=record.line_number, reason=record.reason))
    return item


async def resolve_review(session: AsyncSession, tenant_id: str, review_id: str, principal: str,
                         engines: CodingEngines, acknowledged: Sequence[str] = ()) -> ReviewItem:
    """Close the item on the coder's codes, after the edits ran on them, and emit claim.coded."""
    item = await _load(session, tenant_id, review_id)
    encounter = item.final_encounter()
    findings = await asyncio.to_thread(edit_findings, encounter, engines)
    encounter = coder_decisions.resolve(item, principal, findings, acknowledged)
    diagnoses, lines = coder_decisions.resolved_codes(item, findings)
    await ReviewStore(session).save(item, closed_by=principal)
    coded = claim_coded(encounter, diagnoses, lines, findings, item.coding_round, item.review_id, principal)
    version = await _announce(session, item, coded)
    await CodingStore(session).save(item.claim_id, tenant_id, coded_row(
        "coded", encounter, diagnoses, lines, findings, item.coding_round, review_id=item.review_id,
        note_status=None, code_sets=code_sets_used(encounter.date_of_service)), version)
    return item
