"""Billing the secondary payer once the primary's 835 is posted: a new claim version (frequency 1) to the
next payer, carrying the primary's adjudication in the 2320/2330/2430 loops."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.claim_versions import ClaimVersionStore
from services.submission.adapters.repository import SubmissionStore, utcnow
from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.scrubber import LIBRARY, ScrubContext, bundled_payer_settings
from services.submission.domain.secondary_claim import adjudication_as_json, prior_payer_adjudication
from services.submission.domain.submission_plan import line_control_numbers_for
from services.submission.service_layer.corrections import scrub_edits
from services.submission.service_layer.handlers import SOURCE, queue_version
from shared.contracts.encounter import Encounter
from shared.events.claim_events import ClaimScrubFailed, ScrubEdit
from shared.events.envelope import EventEnvelope
from shared.events.remittance_events import ClaimSecondaryBillingReady
from shared.messaging.outbox import envelope_for

COB_EDIT_ID = "SCR-COB-001"


async def bill_next_payer(session: AsyncSession, event: ClaimSecondaryBillingReady, envelope: EventEnvelope) -> None:
    """Queue the secondary's claim once per claim; an adjudication that cannot be billed holds the claim
    in needs_correction with the reason, like a scrubber error."""
    versions = ClaimVersionStore(session)
    claim = await versions.lock_billing_claim(envelope.claim_id)
    if claim is None:
        return  # never billed by us: nothing to forward
    history = await versions.versions(envelope.claim_id)
    if any(v["payer_responsibility"] == event.next_payer_priority and v["status"] not in ("rejected", "refused")
           for v in history):
        return  # that payer was already billed (a second ERA for the same claim changes nothing)
    primary = [v for v in history if v["payer_responsibility"] == "primary"]
    encounter = Encounter.model_validate((primary[-1]["encounter"] if primary else None) or claim["encounter"])
    version = max((v["claim_version"] for v in history), default=0) + 1
    numbers = line_control_numbers_for(claim["patient_control_number"], version, len(encounter.service_lines))
    store = SubmissionStore(session)
    try:
        adjudication = prior_payer_adjudication(event, claim["patient_control_number"], numbers)
        scrub = LIBRARY.scrub(encounter, ScrubContext(
            today=utcnow().date(), payer_settings=bundled_payer_settings(), billed_priority="secondary",
            primary_paid_on=event.adjudication_date))
        if scrub.blocks_submission:
            await _hold(store, claim, scrub_edits(scrub))
            return
        await queue_version(store, envelope.claim_id, claim["tenant_id"], encounter, version, "1", None,
                            prior_payer_adjudication=adjudication,
                            details={"trigger": "secondary_billing", "prior_payer": adjudication_as_json(adjudication)})
    except InvalidBillableClaim as error:
        # The 835 facts do not balance or do not fit our claim: a person must look before anything is sent.
        await _hold(store, claim, [ScrubEdit(
            edit_id=COB_EDIT_ID, severity="error", message=f"The primary's adjudication cannot be billed: {error}",
            fix_hint="Check the primary's ERA posting against the claim's lines.", pointer="/coverages")])
        return
    await store.update_billing_claim(envelope.claim_id, status="queued", current_version=version)


async def _hold(store: SubmissionStore, claim: dict, edits: list[ScrubEdit]) -> None:
    await store.update_billing_claim(claim["claim_id"], status="needs_correction")
    await store.record(claim["claim_id"], [envelope_for(ClaimScrubFailed(edits=edits), source=SOURCE,
                                                        claim_id=claim["claim_id"], tenant_id=claim["tenant_id"])])
