"""Front-end edits that decide each claim's 277CA status before any payer adjudicates it."""

from __future__ import annotations

from tools.clearinghouse.claims import REPLACEMENT, VOID, SubmittedClaim
from tools.clearinghouse.ledger import Ledger
from tools.clearinghouse.payer_rules import PayerConfig
from tools.clearinghouse.x12_277ca import ClaimAcknowledgement

PAYER_NOT_FOUND = "A3:26:PR"  # 26: entity not found; PR: the payer
CLAIM_OUT_OF_BALANCE = "A7:400"  # 400: claim is out of balance
ORIGINAL_CLAIM_NUMBER_INVALID = "A7:464"  # 464: payer assigned claim control number


def acknowledge_claim(
    claim: SubmittedClaim, payers: dict[str, PayerConfig], ledger: Ledger
) -> ClaimAcknowledgement:
    """The 277CA answer for one claim; accepted claims get their payer claim control number."""
    payer = payers.get(claim.payer_id)
    if payer is None:
        return ClaimAcknowledgement(claim, PAYER_NOT_FOUND, message="PAYER ID NOT RECOGNIZED")
    if claim.total_charge != claim.lines_total:
        return ClaimAcknowledgement(
            claim, CLAIM_OUT_OF_BALANCE, message="CLM02 DIFFERS FROM THE SUM OF THE LINES"
        )
    if not payer.accepts_claims:
        return ClaimAcknowledgement(
            claim, payer.acknowledgement_status, message="REJECTED BY PAYER FRONT END"
        )
    if claim.frequency_code in (REPLACEMENT, VOID):
        original = claim.original_reference
        if not original or ledger.payer_of(original) != claim.payer_id:
            return ClaimAcknowledgement(
                claim, ORIGINAL_CLAIM_NUMBER_INVALID, message="REF*F8 IS NOT A CLAIM NUMBER THIS PAYER ISSUED"
            )
        if claim.frequency_code == VOID:
            # a void is answered under the number of the claim it takes back
            return ClaimAcknowledgement(claim, payer.acknowledgement_status, original)
    number, _ = ledger.payer_claim_control_number(claim)
    return ClaimAcknowledgement(claim, payer.acknowledgement_status, number)
