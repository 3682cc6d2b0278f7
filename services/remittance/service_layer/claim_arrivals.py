"""Remittance's consumers of what was billed (claim.submitted) and of the encounter behind it (claim.received),
applied as sets: one statement per table for a whole batch.

Almost every claim arrives before any 835 pays it, so the per-claim work the old handlers did for every
event (a claim payment waiting for this claim number; a payment posted before the encounter was known,
whose secondary billing waits) is found for the whole batch with one query, and done claim by claim only
for the few it finds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from services.remittance.adapters.posting_store import PostingStore
from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.patient_key import patient_key
from services.remittance.service_layer.encounters import ClaimBeingPosted, bill_next_coverage_late
from services.remittance.service_layer.posting import post_waiting_claim
from shared.events.claim_events import ClaimSubmitted
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery, DeliveryFailed


class SubmittedClaims:
    """remittance.submitted-claims: keep every billed version; post the payments that waited for the claim."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        store, postings = RemittanceStore(uow.session), PostingStore(uow.session)
        submitted: list[tuple[Delivery, ClaimSubmitted]] = [(d, _typed(d)) for d in deliveries]
        # see lock_claim_numbers: the race between an 835 and its claim's claim.submitted; sorted, one statement
        await postings.lock_claim_numbers({event.patient_control_number for _, event in submitted})
        await store.upsert_billed_claims([billed_claim_row(d, event) for d, event in submitted])
        await store.add_billed_versions([billed_version_row(d, event) for d, event in submitted])
        waiting = await store.numbers_with_unposted_payments(
            {(d.tenant_id, event.patient_control_number) for d, event in submitted})
        for delivery, event in submitted:
            if (delivery.tenant_id, event.patient_control_number) not in waiting:
                continue
            try:
                number = event.patient_control_number
                billed = (await postings.billed_claims_by_number(delivery.tenant_id, {number}))[number]
                for payment in await store.unposted_era_claims(delivery.tenant_id, number):
                    await post_waiting_claim(uow.session, payment, billed)
            except Exception as error:
                raise DeliveryFailed(delivery, error) from error


class ReceivedClaims:
    """remittance.received-claims: keep each claim's patient (statements) and coverages (secondary billing)."""

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        store = RemittanceStore(uow.session)
        claim_ids = [d.claim_id for d in deliveries]
        if not await store.try_lock_claims(claim_ids):  # see RemittanceStore.try_lock_claim
            raise ClaimBeingPosted("an 835 is posting one of these claims; the batch is retried")
        await store.upsert_encounters([encounter_row(d) for d in deliveries])
        # Consumers of different topics run apart: an 835 may have been posted before its encounter arrived.
        posted = await store.claims_with_posted_payments(claim_ids)
        for delivery in deliveries:
            if delivery.claim_id in posted:
                try:
                    await bill_next_coverage_late(store, delivery.claim_id, delivery.tenant_id)
                except Exception as error:
                    raise DeliveryFailed(delivery, error) from error


def _typed(delivery: Delivery) -> Any:
    try:
        return delivery.event
    except Exception as error:
        raise DeliveryFailed(delivery, error) from error


def billed_claim_row(delivery: Delivery, event: ClaimSubmitted) -> dict[str, Any]:
    """The latest submitted version of a claim, as an 835 is matched against it, with the claim's trace."""
    return {"claim_id": delivery.claim_id, "tenant_id": delivery.tenant_id,
            "patient_control_number": event.patient_control_number, "payer_id": event.payer_id,
            "claim_version": event.claim_version, "submission_id": event.submission_id, "billed": event.total_charge,
            "lines": [line.model_dump(mode="json") for line in event.lines], "status": "submitted",
            "billing_provider_npi": event.billing_provider_npi,
            "patient_account_number": event.patient_account_number, "traceparent": delivery.traceparent}


def billed_version_row(delivery: Delivery, event: ClaimSubmitted) -> dict[str, Any]:
    return {"claim_id": delivery.claim_id, "claim_version": event.claim_version, "tenant_id": delivery.tenant_id,
            "payer_id": event.payer_id, "frequency_code": event.frequency_code, "submission_id": event.submission_id,
            "billed": event.total_charge, "lines": [line.model_dump(mode="json") for line in event.lines]}


def encounter_row(delivery: Delivery) -> dict[str, Any]:
    """What remittance keeps of a claim.received, read from the event's data without validating the whole
    encounter again (intake validated it; a malformed one fails here and is dead-lettered with the reason)."""
    try:
        encounter = delivery.envelope.data["encounter"]
        patient, address = encounter["patient"], encounter["patient"]["address"]
        return {
            "claim_id": delivery.claim_id, "tenant_id": delivery.tenant_id,
            "patient_key": patient_key(delivery.tenant_id, patient["account_number"]),
            "patient": {"first_name": patient["first_name"], "last_name": patient["last_name"],
                        "account_number": patient["account_number"],
                        "address": {"line1": address["line1"], "line2": address.get("line2"), "city": address["city"],
                                    "state": address["state"], "postal_code": address["postal_code"]}},
            "coverages": [{"priority": c["priority"], "payer_id": c["payer"]["payer_id"],
                           "payer_name": c["payer"]["name"]} for c in encounter["coverages"]],
            "date_of_service": dt.date.fromisoformat(encounter["date_of_service"]),
            "billing_provider_name": encounter["billing_provider"]["organization_name"]}
    except (KeyError, TypeError, ValueError) as error:
        raise DeliveryFailed(delivery, error) from error
