"""PLB provider-level adjustments: the payer account side of an 835, and which claim each one names.

A positive PLB amount is money the payer keeps (WO overpayment recovery, FB forward balance taken),
a negative one money it adds (L6 interest, a returned forward balance); BPR02 = sum CLP04 - sum PLB.
PLB03-2 (the reference after the reason code) usually carries the payer claim control number (CLP07)
of the claim concerned, sometimes our patient control number (CLP01).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.remittance.domain.era_model import ProviderAdjustment, Remittance

OVERPAYMENT_RECOVERY = "WO"
INTEREST = "L6"
FORWARD_BALANCE = "FB"


@dataclass(frozen=True, slots=True)
class ClaimReference:
    """A claim a PLB reference can name: by its payer claim control number or patient control number."""

    claim_id: str
    tenant_id: str


def linked_claim(adjustment: ProviderAdjustment, by_payer_ccn: Mapping[str, ClaimReference],
                 by_pcn: Mapping[str, ClaimReference]) -> ClaimReference | None:
    """The claim the adjustment's reference names, payer claim control number first."""
    reference = adjustment.reference_id.strip()
    if not reference:
        return None
    return by_payer_ccn.get(reference) or by_pcn.get(reference)


def other_payee_reason(remittance: Remittance, billing_npis: set[str]) -> str | None:
    """Why the ERA is not ours to post, or None: the payee's NPI is not the billing provider of its claims.

    Only an NPI payee (N1*PE*...*XX) can be compared; a tax-id payee (FI) is taken as addressed.
    """
    payee = remittance.payee
    if payee.id_qualifier != "XX" or not billing_npis - {payee.identifier}:
        return None
    return (f"other payee at segment {payee.segment_index} (N1): N1*PE04 is not the billing provider NPI "
            "of the claims it pays")
