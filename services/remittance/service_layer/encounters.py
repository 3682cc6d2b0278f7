"""Remember, per claim, the encounter facts remittance needs: its patient (statements) and coverages (COB)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain import adjustment_codes as codes
from services.remittance.domain.patient_key import patient_key
from services.remittance.domain.posting import post_claim_payment
from services.remittance.domain.secondary_billing import next_payer_priority
from services.remittance.service_layer.adjudication_ledger import billed_lines_of, billed_version
from services.remittance.service_layer.claim_posting import SOURCE, secondary_event
from services.remittance.service_layer.stored_eras import stored_remittance
from shared.events.claim_events import ClaimReceived
from shared.events.envelope import EventEnvelope
from shared.events.remittance_events import ClaimSecondaryBillingReady
from shared.messaging.outbox import envelope_for


class ClaimBeingPosted(TimeoutError):
    """An 835 is posting this claim right now. A TimeoutError, so the consumer takes it as transient:
    it rolls the batch back and applies it again once the posting committed (and is then seen)."""


async def register_received_claim(session: AsyncSession, event: ClaimReceived, envelope: EventEnvelope) -> None:
    """Keep the patient (for statements) and the coverages in priority order (for secondary billing)."""
    encounter = event.encounter
    patient = encounter.patient
    address = patient.address
    store = RemittanceStore(session)
    if not await store.try_lock_claim(envelope.claim_id):  # see RemittanceStore.lock_claim
        raise ClaimBeingPosted("an 835 is posting this claim; the batch is retried")
    await store.upsert_encounter({
        "claim_id": envelope.claim_id, "tenant_id": envelope.tenant_id,
        "patient_key": patient_key(envelope.tenant_id, patient.account_number),
        "patient": {"first_name": patient.first_name, "last_name": patient.last_name,
                    "account_number": patient.account_number,
                    "address": {"line1": address.line1, "line2": address.line2, "city": address.city,
                                "state": address.state, "postal_code": address.postal_code}},
        "coverages": [{"priority": c.priority, "payer_id": c.payer.payer_id, "payer_name": c.payer.name}
                      for c in encounter.coverages],
        "date_of_service": encounter.date_of_service,
        "billing_provider_name": encounter.billing_provider.organization_name})
    # Consumers of different topics run apart: the 835 may have been posted before this event arrived.
    await bill_next_coverage_late(store, envelope.claim_id, envelope.tenant_id)


async def bill_next_coverage_late(store: RemittanceStore, claim_id: str, tenant_id: str) -> None:
    """Emit the secondary billing a payment could not, because it was posted before the encounter was known."""
    billed, latest = await store.billed_claim(tenant_id, claim_id), await store.latest_posted_payment(claim_id)
    encounter = await store.encounter(claim_id)
    if billed is None or latest is None or encounter is None or await store.recorded_event_for_era(
            claim_id, ClaimSecondaryBillingReady.event_type, str(latest["era_id"])):
        return
    remittance = await stored_remittance(store, latest["delivery_id"], latest["transaction_index"])
    claim = remittance.claims[latest["claim_index"]]
    if claim.status_code == codes.STATUS_REVERSAL:
        return
    billed = billed_version(billed, await store.billed_versions(claim_id), await store.posted_versions(claim_id), claim)
    posting = post_claim_payment(claim, billed_lines_of(billed))
    next_priority = next_payer_priority(claim, posting, [c["priority"] for c in encounter["coverages"]])
    if next_priority is not None:
        event = secondary_event(str(latest["era_id"]), claim, posting, next_priority, billed, remittance)
        await store.record(claim_id, [envelope_for(event, source=SOURCE, claim_id=claim_id, tenant_id=tenant_id)])
