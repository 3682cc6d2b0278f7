"""Corrected claims: a re-coded claim, or a user's replacement or void, becomes a new claim version.

Each version is scrubbed with its own frequency and payer claim control number, queued as its own
submission (the dispatcher sends it) and recorded in the claim's version history. `plan_correction` decides
for one claim in memory; the consumers (service_layer/coded_claims.py) plan a whole batch with it and write the
set at once, a user's request writes a set of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.claim_version_sets import ClaimVersionSetStore
from services.submission.adapters.claim_versions import ClaimVersionStore, sent_versions
from services.submission.adapters.repository import utcnow
from services.submission.domain.billable_claim import ClaimFrequency
from services.submission.domain.claim_correction import (
    CorrectionTrigger,
    NextVersion,
    encounter_for_frequency,
    plan_next_version,
)
from services.submission.domain.scrubber import LIBRARY, ScrubContext, ScrubResult, bundled_payer_settings
from services.submission.service_layer.version_writes import Cause, PlannedVersion, VersionWrites
from shared.contracts.encounter import Encounter
from shared.events.claim_events import ScrubEdit


class ClaimNotBilled(Exception):
    """No billing claim with this id for this tenant."""


@dataclass(frozen=True)
class QueuedVersion:
    """What a correction queued (or why the scrubber held it back)."""

    claim_id: str
    claim_version: int
    frequency_code: str
    submission_id: str | None
    corrects_payer_claim_control_number: str | None
    scrub_edits: list[ScrubEdit]


async def request_correction(session: AsyncSession, tenant_id: str, claim_id: str,
                             trigger: CorrectionTrigger) -> QueuedVersion:
    """A user's replacement (the latest coded encounter as frequency 7) or void (frequency 8 of the
    version the payer holds); CorrectionNotAllowed or ClaimNotBilled when it cannot be sent."""
    claim = await ClaimVersionStore(session).lock_billing_claim(claim_id, tenant_id)
    if claim is None:
        raise ClaimNotBilled(claim_id)
    history = (await ClaimVersionSetStore(session).histories([claim_id]))[claim_id]
    writes = VersionWrites()
    queued = plan_correction(writes, claim, history, Encounter.model_validate(claim["encounter"]), trigger,
                             Cause.of_request())
    await writes.write(session)
    await writes.record(session)
    return queued


def plan_correction(writes: VersionWrites, claim: dict[str, Any], history: list[dict[str, Any]],
                    encounter: Encounter, trigger: CorrectionTrigger, cause: Cause) -> QueuedVersion:
    """Plan the claim's next version into writes (or its scrub failure); CorrectionNotAllowed when the
    history does not allow it now (nothing is planned then)."""
    plan = plan_next_version(sent_versions(history), trigger)
    if plan.frequency_code is ClaimFrequency.VOID:
        # A void takes back the claim as the payer holds it, not a newer coding of it.
        voided = next(v for v in history if v["claim_version"] == plan.corrects_version)
        encounter = Encounter.model_validate(voided["encounter"] or claim["encounter"])
    billed = encounter_for_frequency(encounter, plan.frequency_code)
    frequency = billed.type_of_bill[-1] if billed.claim_type == "institutional" and billed.type_of_bill \
        else plan.frequency_code.value
    scrub = LIBRARY.scrub(billed, ScrubContext(today=utcnow().date(), frequency_code=frequency,
                                               payer_claim_control_number=plan.payer_claim_control_number,
                                               payer_settings=bundled_payer_settings()))
    edits = scrub_edits(scrub)
    if scrub.blocks_submission:
        writes.change(claim, status="needs_correction")
        writes.scrub_failed(claim["claim_id"], claim["tenant_id"], edits, cause)
        return _queued(claim["claim_id"], plan, None, edits)
    version = PlannedVersion(
        claim_id=claim["claim_id"], tenant_id=claim["tenant_id"], encounter=billed, claim_version=plan.claim_version,
        frequency_code=plan.frequency_code.value, payer_claim_control_number=plan.payer_claim_control_number,
        cause=cause, trigger=trigger.value)
    writes.versions.append(version)
    writes.change(claim, status="queued", current_version=plan.claim_version, correction_pending=False)
    return _queued(claim["claim_id"], plan, version.submission_id, edits)


def scrub_edits(scrub: ScrubResult) -> list[ScrubEdit]:
    return [ScrubEdit(edit_id=f.edit_id, severity=f.severity, message=f.message, fix_hint=f.fix_hint,
                      pointer=f.pointer) for f in scrub.findings]


def _queued(claim_id: str, plan: NextVersion, submission_id: str | None, edits: list[ScrubEdit]) -> QueuedVersion:
    return QueuedVersion(claim_id=claim_id, claim_version=plan.claim_version,
                         frequency_code=plan.frequency_code.value, submission_id=submission_id,
                         corrects_payer_claim_control_number=plan.payer_claim_control_number, scrub_edits=edits)
