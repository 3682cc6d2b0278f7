"""Denials' event handlers: record denials and rejections, remember billed claims, close appeals on payment and
reopen them when the payment is reversed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.denials.adapters.repository import DenialStore
from services.denials.domain.appeals import appeal_deadline, outcome_of_payment, reopened_by_reversal
from services.denials.domain.classification import (
    Adjustment,
    DenialClassification,
    LineDenial,
    classify,
    classify_rejection,
)
from services.denials.service_layer.feedback import note_patterns
from services.denials.service_layer.policy import DenialsPolicy
from shared.events.claim_events import ClaimRejected, ClaimSubmitted, DenialRecorded, RemittancePosted
from shared.events.denial_events import ClaimAppealDecided, ClaimAppealReopened
from shared.events.envelope import EventEnvelope
from shared.messaging.deliveries import ConsumerUnitOfWork, Delivery, DeliveryFailed, claim_trace
from shared.messaging.outbox import envelope_for

SOURCE = "denials"
ZERO = Decimal("0")


class DenialsClaimEvents:
    """Denials' consumer of billed claims, rejections and payments, applied as a set: what was billed is kept
    for every claim in one statement; the rest of the work (a denial to record, appeals a payment decides or
    a reversal reopens) concerns few claims, found in one query, and is done claim by claim."""

    def __init__(self, policy: DenialsPolicy):
        self.policy = policy

    async def apply(self, uow: ConsumerUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        store = DenialStore(uow.session)
        submitted = [d for d in deliveries if d.envelope.type == ClaimSubmitted.event_type]
        await store.upsert_facts_of([billed_facts(d.event, d.envelope) for d in submitted])
        with_work = await store.claims_with_denial_work([d.claim_id for d in deliveries])
        for delivery in deliveries:
            event, envelope = delivery.event, delivery.envelope
            with claim_trace(delivery):
                try:
                    if isinstance(event, ClaimSubmitted):
                        if delivery.claim_id in with_work:
                            await complete_earlier_denials(store, event, envelope, self.policy)
                    elif isinstance(event, ClaimRejected):
                        await record_rejection(uow.session, event, envelope, self.policy)
                    elif delivery.claim_id in with_work or event.claim_status in ("denied", "partially_paid"):
                        await apply_remittance(uow.session, event, envelope, self.policy)
                except Exception as error:
                    raise DeliveryFailed(delivery, error) from error


def billed_facts(event: ClaimSubmitted, envelope: EventEnvelope) -> dict[str, Any]:
    """What denials keeps of a billed claim version (lines, provider, payer) for letters, patterns, analytics."""
    return {
        "claim_id": envelope.claim_id, "tenant_id": envelope.tenant_id, "payer_id": event.payer_id,
        "billing_provider_npi": event.billing_provider_npi, "patient_control_number": event.patient_control_number,
        "claim_version": event.claim_version, "frequency_code": event.frequency_code,
        "total_charge": event.total_charge, "submitted_at": envelope.time,
        "lines": [line.model_dump(mode="json") for line in event.lines]}


async def complete_earlier_denials(store: DenialStore, event: ClaimSubmitted, envelope: EventEnvelope,
                                   policy: DenialsPolicy) -> None:
    """The two topics are not ordered with each other: a denial posted before this event reached us lacks the
    billed codes; give them to it now and count its patterns, which could not be counted without them."""
    lines = [line.model_dump(mode="json") for line in event.lines]
    procedure_by_line = {line["line_control_number"]: line["procedure_code"] for line in lines}
    for denial in await store.list(envelope.tenant_id, None, 100, claim_id=envelope.claim_id):
        if denial["procedure_codes"] or denial["source"] != "835":
            continue
        await store.update(denial["denial_id"], procedure_codes=list(dict.fromkeys(procedure_by_line.values())),
                           billing_provider_npi=event.billing_provider_npi)
        await note_patterns(store, envelope, denial["payer_id"], stored_lines(denial["lines"]), procedure_by_line,
                            policy)


def stored_lines(rows: list[dict[str, Any]]) -> tuple[LineDenial, ...]:
    """A denial's classified lines back from their JSON."""
    return tuple(LineDenial(r["line_control_number"], r["group_code"], r["reason_code"], Decimal(r["amount"]),
                            r["category"], r["preventable"], r["description"]) for r in rows)


def _record(envelope: EventEnvelope, denial_id: str, source: str, reference: str, payer_id: str,
            classification: DenialClassification, amount: Decimal, remarks: list[str], facts: dict | None,
            policy: DenialsPolicy) -> dict[str, Any]:
    denied_on = envelope.time.date()
    return {
        "denial_id": denial_id, "claim_id": envelope.claim_id, "tenant_id": envelope.tenant_id,
        "era_id": reference, "payer_id": payer_id, "category": classification.category,
        "root_cause": classification.root_cause, "preventable": classification.preventable,
        "recommended_action": classification.recommended_action, "reason_codes": list(classification.reason_codes),
        "remark_codes": remarks, "denied_amount": amount, "status": "open", "source": source,
        "lines": [line.as_json() for line in classification.lines], "liability": classification.liability,
        "review_required": classification.review_required, "unknown_codes": list(classification.unknown_codes),
        "recoverability": Decimal(str(classification.recoverability)), "denied_on": denied_on,
        "billing_provider_npi": facts["billing_provider_npi"] if facts else None,
        "procedure_codes": list(dict.fromkeys(line["procedure_code"] for line in facts["lines"])) if facts else [],
        "sla_due_at": envelope.time + dt.timedelta(days=policy.sla_days),
        "appeal_deadline": appeal_deadline(payer_id, "first", denied_on, policy.appeal_deadlines).deadline,
    }


async def apply_remittance(session: AsyncSession, event: RemittancePosted, envelope: EventEnvelope,
                           policy: DenialsPolicy) -> None:
    """A denied (or partly denied) payment becomes a classified denial; a payment closes sent appeals."""
    store = DenialStore(session)
    if event.claim_status in ("paid", "partially_paid"):
        await _close_on_payment(store, event, envelope)
    if event.claim_status == "reversed":
        await _reopen_on_reversal(store, event, envelope)
    if event.claim_status not in ("denied", "partially_paid"):
        return
    adjustments = [Adjustment(a.group_code, a.reason_code, a.amount, a.line_control_number) for a in event.adjustments]
    classification = classify(adjustments, event.remark_codes)
    if event.claim_status == "partially_paid":
        if not classification.lines:
            return  # paid with pricing and patient share only: nothing denied
        amount = sum((line.amount for line in classification.lines), ZERO)
    else:
        amount = event.billed - event.paid
    facts = await store.facts(envelope.claim_id)
    denial_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"denial:{envelope.claim_id}:{event.era_id}"))
    recorded = DenialRecorded(denial_id=denial_id, category=classification.category,
                              reason_codes=list(classification.reason_codes), remark_codes=event.remark_codes,
                              denied_amount=amount)
    record = _record(envelope, denial_id, "835", event.era_id, event.payer_id, classification, amount,
                     event.remark_codes, facts, policy)
    events = [envelope_for(recorded, source=SOURCE, claim_id=envelope.claim_id, tenant_id=envelope.tenant_id)]
    if await store.add(record, events):
        procedure_by_line = {line["line_control_number"]: line["procedure_code"] for line in facts["lines"]} \
            if facts else {}
        await note_patterns(store, envelope, event.payer_id, classification.lines, procedure_by_line, policy)


async def _close_on_payment(store: DenialStore, event: RemittancePosted, envelope: EventEnvelope) -> None:
    """A later payment wins sent appeals and resolves denials being corrected."""
    now = envelope.time
    for appeal in await store.appeals_of(envelope.tenant_id, claim_id=envelope.claim_id, status="sent"):
        decided = outcome_of_payment(appeal["appealed_amount"], event.paid)
        if decided is None:
            continue
        outcome, overturned = decided
        await store.update_appeal(appeal["appeal_id"], status=outcome, overturned_amount=overturned, decided_at=now)
        await store.update(appeal["denial_id"], status="resolved", resolution="overturned", resolved_at=now,
                           recovered_amount=overturned)
        await store.record(envelope.claim_id, [envelope_for(ClaimAppealDecided(
            appeal_id=appeal["appeal_id"], denial_id=appeal["denial_id"], outcome=outcome,
            overturned_amount=overturned, era_id=event.era_id), source=SOURCE, claim_id=envelope.claim_id,
            tenant_id=envelope.tenant_id)])
    for denial in await store.list(envelope.tenant_id, "correcting", 100, claim_id=envelope.claim_id):
        await store.update(denial["denial_id"], status="resolved", resolution="corrected", resolved_at=now,
                           recovered_amount=min(event.paid, denial["denied_amount"]))


async def _reopen_on_reversal(store: DenialStore, event: RemittancePosted, envelope: EventEnvelope) -> None:
    """A reversal taking back the payment that won appeals reopens them (latest decision first) and their denials."""
    left = -event.paid  # what the reversal takes back, positive
    decided = [a for a in await store.appeals_of(envelope.tenant_id, claim_id=envelope.claim_id)
               if a["decided_at"] is not None and a["decided_at"] <= envelope.time]
    for appeal in sorted(decided, key=lambda a: a["decided_at"], reverse=True):
        reopened = reopened_by_reversal(appeal["status"], appeal["overturned_amount"], -left)
        if reopened is None:
            continue
        left -= reopened.taken_back
        still_won = reopened.status != "sent"
        await store.update_appeal(appeal["appeal_id"], status=reopened.status, overturned_amount=reopened.overturned,
                                  decided_at=appeal["decided_at"] if still_won else None)
        denial = await store.get(envelope.tenant_id, appeal["denial_id"], lock=True)
        if denial is not None:
            reopened_denial = {} if still_won else {"status": "appealed", "resolution": None, "resolved_at": None}
            await store.update(denial["denial_id"], recovered_amount=max(
                ZERO, denial["recovered_amount"] - reopened.taken_back), **reopened_denial)
        await store.record(envelope.claim_id, [envelope_for(ClaimAppealReopened(
            appeal_id=appeal["appeal_id"], denial_id=appeal["denial_id"], status=reopened.status,  # type: ignore[arg-type]
            reversed_amount=reopened.taken_back, overturned_amount=reopened.overturned, era_id=event.era_id),
            source=SOURCE, claim_id=envelope.claim_id, tenant_id=envelope.tenant_id)])


async def record_rejection(session: AsyncSession, event: ClaimRejected, envelope: EventEnvelope,
                           policy: DenialsPolicy) -> None:
    """A 999 or 277CA rejection is worked like a denial (no claim.denial_recorded: the claim stays rejected)."""
    store = DenialStore(session)
    classification = classify_rejection(event.stage, event.status_category, event.status_code)
    facts = await store.facts(envelope.claim_id)
    denial_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"rejection:{envelope.claim_id}:{event.submission_id}"))
    amount = facts["total_charge"] if facts else ZERO
    record = _record(envelope, denial_id, event.stage, event.submission_id, facts["payer_id"] if facts else "unknown",
                     classification, amount, [], facts, policy)
    await store.add(record, [])
