"""Post an ERA's PLB provider-level adjustments to the payer account, each linked to the claim it names."""

from __future__ import annotations

from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.era_model import Remittance
from services.remittance.domain.payer_account import ClaimReference, linked_claim
from services.remittance.domain.posting import to_cents


async def post_provider_adjustments(store: RemittanceStore, era_id: str, payer_identifier: str,
                                    remittance: Remittance, tenant_id: str) -> None:
    """One payer-account entry per PLB adjustment pair, on the ERA's tenant's account; a reference links only
    that tenant's claims."""
    adjustments = remittance.provider_adjustments
    if not adjustments:
        return
    references = sorted({a.reference_id for a in adjustments if a.reference_id})
    by_ccn, by_pcn = await store.claims_named_by(tenant_id, references)
    ccn_refs = {k: ClaimReference(**v) for k, v in by_ccn.items()}
    pcn_refs = {k: ClaimReference(**v) for k, v in by_pcn.items()}
    rows = []
    for adjustment in adjustments:
        claim = linked_claim(adjustment, ccn_refs, pcn_refs)
        rows.append({
            "era_id": era_id, "tenant_id": tenant_id,
            "payer_identifier": payer_identifier, "provider_id": adjustment.provider_id[:50],
            "fiscal_period_date": adjustment.fiscal_period_date, "reason_code": adjustment.reason_code[:2],
            "reference_id": adjustment.reference_id[:50] or None, "claim_id": claim.claim_id if claim else None,
            "amount": to_cents(adjustment.amount)})
    await store.add_payer_account_entries(rows)
