"""The unmatched-ERA queue: claim payments that posted nothing, with the billed claims they may belong to,
and a person's match that posts one of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.remittance.adapters.posting_store import PostingStore
from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.era_model import Remittance
from services.remittance.domain.unmatched import BilledClaimSummary, candidates
from services.remittance.service_layer.adjudication_ledger import billed_lines_of
from services.remittance.service_layer.posting import post_waiting_claim
from services.remittance.service_layer.stored_eras import stored_remittance
from shared.errors import DomainError


class ClaimPaymentNotWaiting(DomainError):
    """The claim payment does not exist, or is already posted."""


class MatchRefused(DomainError):
    """The chosen claim cannot take the claim payment; says why (codes and positions only)."""


async def unmatched_queue(session: AsyncSession, tenant_id: str, limit: int) -> list[dict[str, Any]]:
    """Waiting claim payments of this tenant's ERAs (routed by payee), with candidates among its claims.

    Another tenant's ERA never shows here, however much its claim payments look like this tenant's claims."""
    store = RemittanceStore(session)
    pool = [BilledClaimSummary(str(b["claim_id"]), b["patient_control_number"], b["payer_id"], b["billed"],
                               tuple(billed_lines_of(b))) for b in await store.unpaid_billed_claims(tenant_id)]
    files: dict[tuple[str, int], Remittance] = {}
    queue = []
    for waiting in await store.unposted_claim_payments(tenant_id, limit):
        where = (waiting["delivery_id"], waiting["transaction_index"])
        if where not in files:
            files[where] = await stored_remittance(store, waiting["delivery_id"], waiting["transaction_index"])
        claim = files[where].claims[waiting["claim_index"]]
        found = [c for c in candidates(claim, pool) if c.claim_id != str(waiting["claim_id"])]
        queue.append({
            "era_id": str(waiting["era_id"]), "claim_index": waiting["claim_index"],
            "trace_number": waiting["trace_number"], "payer_identifier": waiting["payer_identifier"],
            "patient_control_number": waiting["patient_control_number"], "status_code": waiting["status_code"],
            "payer_claim_control_number": waiting["payer_claim_control_number"],
            "billed": f"{waiting['billed']:.2f}", "paid": f"{waiting['paid']:.2f}",
            "hold_reason": waiting["hold_reason"], "received_at": waiting["received_at"].isoformat(),
            "candidates": [{"claim_id": c.claim_id, "patient_control_number": c.patient_control_number,
                            "reasons": list(c.reasons)} for c in found]})
    return queue


async def match_claim_payment(session: AsyncSession, tenant_id: str, era_id: str, claim_index: int,
                              claim_id: str) -> None:
    """Post a waiting claim payment of one of the tenant's ERAs to the tenant's claim a person chose."""
    store = RemittanceStore(session)
    waiting = await store.era_claim(era_id, claim_index)
    if waiting is not None:
        # The claim number's lock, as claim.submitted takes it: the claim's own submission arriving now must
        # not post the same payment too. Read again under it.
        await PostingStore(session).lock_claim_numbers({waiting["patient_control_number"]})
        waiting = await store.era_claim(era_id, claim_index)
    if (waiting is None or waiting["era_tenant_id"] != tenant_id or waiting["posted"]
            or waiting["era_status"] == "held"):
        raise ClaimPaymentNotWaiting(f"no unposted claim payment {claim_index} in ERA {era_id}")
    billed = await store.billed_claim(tenant_id, claim_id)
    if billed is None:
        raise ClaimPaymentNotWaiting(f"no claim {claim_id} for this tenant")
    reason = await post_waiting_claim(session, waiting, billed)
    if reason is not None:
        raise MatchRefused(reason)
