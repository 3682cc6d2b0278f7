"""Denials' use cases."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.denials.adapters.repository import DenialStore
from services.denials.domain.classification import classify
from shared.events.claim_events import DenialRecorded, RemittancePosted
from shared.events.envelope import EventEnvelope
from shared.messaging.outbox import envelope_for

SOURCE = "denials"


async def record_denial(session: AsyncSession, event: RemittancePosted, envelope: EventEnvelope) -> None:
    """Turn a denied claim payment into a classified denial record and announce it."""
    if event.claim_status != "denied":
        return
    classification = classify([(a.group_code, a.reason_code, a.amount) for a in event.adjustments])
    denied_amount = event.billed - event.paid
    denial_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"denial:{envelope.claim_id}:{event.era_id}"))
    recorded = DenialRecorded(denial_id=denial_id, category=classification.category,
                              reason_codes=list(classification.reason_codes), remark_codes=event.remark_codes,
                              denied_amount=denied_amount)
    await DenialStore(session).add({
        "denial_id": denial_id, "claim_id": envelope.claim_id, "tenant_id": envelope.tenant_id,
        "era_id": event.era_id, "payer_id": event.payer_id, "category": classification.category,
        "root_cause": classification.root_cause, "preventable": classification.preventable,
        "recommended_action": classification.recommended_action,
        "reason_codes": list(classification.reason_codes), "remark_codes": event.remark_codes,
        "denied_amount": denied_amount, "status": "open",
    }, [envelope_for(recorded, source=SOURCE, claim_id=envelope.claim_id, tenant_id=envelope.tenant_id)])
