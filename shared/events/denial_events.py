"""Claim events owned by the denials service, added after the first contracts in claim_events.

Define each with `@CONTRACTS.register` on a `ClaimEvent` subclass; nested values subclass `Part`.
"""

from __future__ import annotations

from typing import Literal

from shared.events.parts import Part  # noqa: F401
from shared.events.registry import CONTRACTS, ClaimEvent


@CONTRACTS.register
class ClaimCorrectionRequested(ClaimEvent):
    """A denial is being worked by correcting the claim: the stage that owns the fix takes it.

    route "intake": demographics or coverage are wrong; intake shows the claim as needing an
    encounter correction (PUT /v1/claims/{claim_id}/encounter). route "coding": codes or modifiers
    are wrong; coding reopens the claim in the coder review queue. Either way the fixed claim is
    coded again and submission sends it as a replacement (frequency 7) carrying the payer's claim
    control number.
    """

    event_type = "claim.correction_requested"
    denial_id: str
    route: Literal["intake", "coding"]
    reason: str  # plain language, no PHI
    reason_codes: list[str]  # the CARC/RARC codes behind the request
