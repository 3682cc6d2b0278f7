"""Billing the secondary payer once the primary's 835 is posted: a new claim version (frequency 1) to the
next payer, carrying the primary's adjudication in the 2320/2330/2430 loops. A batch of claims is read with one
query per table and written as a set (service_layer/version_writes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.submission.adapters.claim_version_sets import ClaimVersionSetStore
from services.submission.adapters.repository import utcnow
from services.submission.domain.cob_adjudication import billed_coverage
from services.submission.domain.errors import InvalidBillableClaim
from services.submission.domain.scrubber import LIBRARY, ScrubContext, bundled_payer_settings
from services.submission.domain.secondary_claim import adjudication_as_json, prior_payer_adjudication
from services.submission.domain.submission_plan import line_control_numbers_for
from services.submission.service_layer.corrections import scrub_edits
from services.submission.service_layer.handlers import DEFAULT_SUBMITTER, interchange_for
from services.submission.service_layer.version_writes import Cause, PlannedVersion, VersionWrites
from shared.contracts.encounter import Encounter
from shared.events.claim_events import ScrubEdit
from shared.events.remittance_events import ClaimSecondaryBillingReady
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery, DeliveryFailed

COB_EDIT_ID = "SCR-COB-001"
TRIAL_CONTROL_NUMBER = 1  # the trial 837 is thrown away; the version is numbered when the set is written


class SecondaryBilling:
    """claim.secondary_billing_ready: queue the secondary's claim once per claim; an adjudication that cannot
    be billed holds the claim in needs_correction with the reason, like a scrubber error."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        events: list[tuple[Delivery, ClaimSecondaryBillingReady]] = []
        for delivery in deliveries:
            try:
                events.append((delivery, delivery.event))
            except Exception as error:
                raise DeliveryFailed(delivery, error) from error
        store = ClaimVersionSetStore(uow.session)
        claims = await store.lock_billing_claims([d.claim_id for d, _ in events])
        if not claims:
            return  # never billed by us: nothing to forward
        histories = await store.histories(list(claims))
        writes = VersionWrites()
        for delivery, event in events:
            claim = claims.get(delivery.claim_id)
            if claim is None:
                continue
            try:
                bill_next_payer(writes, claim, histories[delivery.claim_id], event, Cause.of(delivery))
            except Exception as error:  # a claim whose stored encounter no longer reads: it alone fails
                raise DeliveryFailed(delivery, error) from error
        await writes.write(uow.session)
        writes.emit(uow)


def bill_next_payer(writes: VersionWrites, claim: dict[str, Any], history: list[dict[str, Any]],
                    event: ClaimSecondaryBillingReady, cause: Cause) -> None:
    """Plan the next payer's version of one claim into writes (or its hold)."""
    if any(v["payer_responsibility"] == event.next_payer_priority and v["status"] not in ("rejected", "refused")
           for v in history):
        return  # that payer was already billed (a second ERA for the same claim changes nothing)
    primary = [v for v in history if v["payer_responsibility"] == "primary"]
    version = max((v["claim_version"] for v in history), default=0) + 1
    try:
        encounter = Encounter.model_validate((primary[-1]["encounter"] if primary else None) or claim["encounter"])
        numbers = line_control_numbers_for(claim["patient_control_number"], version, len(encounter.service_lines))
        adjudication = prior_payer_adjudication(event, claim["patient_control_number"], numbers)
        scrub = LIBRARY.scrub(encounter, ScrubContext(
            today=utcnow().date(), payer_settings=bundled_payer_settings(), billed_priority="secondary",
            primary_paid_on=event.adjudication_date))
        if scrub.blocks_submission:
            _hold(writes, claim, scrub_edits(scrub), cause)
            return
        # Written once here to find out whether the 835 facts fit (a rare path); the set's write numbers it.
        interchange_for(DEFAULT_SUBMITTER.header(TRIAL_CONTROL_NUMBER, utcnow()), claim["claim_id"], encounter,
                        version, "1", None, adjudication)
        billed_coverage(encounter, adjudication)
    except InvalidBillableClaim as error:
        # The 835 facts do not balance or do not fit our claim: a person must look before anything is sent.
        _hold(writes, claim, [ScrubEdit(
            edit_id=COB_EDIT_ID, severity="error", message=f"The primary's adjudication cannot be billed: {error}",
            fix_hint="Check the primary's ERA posting against the claim's lines.", pointer="/coverages")], cause)
        return
    writes.versions.append(PlannedVersion(
        claim_id=claim["claim_id"], tenant_id=claim["tenant_id"], encounter=encounter, claim_version=version,
        frequency_code="1", payer_claim_control_number=None, cause=cause, trigger="secondary_billing",
        prior_payer_adjudication=adjudication, prior_payer=adjudication_as_json(adjudication)))
    writes.change(claim, status="queued", current_version=version)


def _hold(writes: VersionWrites, claim: dict[str, Any], edits: list[ScrubEdit], cause: Cause) -> None:
    writes.change(claim, status="needs_correction")
    writes.scrub_failed(claim["claim_id"], claim["tenant_id"], edits, cause)

