"""Which claim version to send next when a claim is re-coded, replaced or voided by a user (pure rules).

The TR3 (X222A1 2300 CLM05-3 and REF*F8) says: a replacement (7) or void (8) names the payer's claim
control number of the claim it corrects, so it is only possible once the payer accepted that claim
into adjudication; a claim the payer never accepted (rejected by the 999 or the 277CA) is sent again
as a new original (1). Corrections concern the claim at the primary payer; the secondary's version
is billed from the primary's 835.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.submission.domain.billable_claim import ClaimFrequency
from services.submission.domain.errors import SubmissionError
from shared.contracts.encounter import Encounter

AWAITING_PAYER = frozenset({"pending", "sent"})  # queued or sent, no 277CA yet


class CorrectionTrigger(StrEnum):
    """What asked for a new claim version."""

    RECODED = "recoded"  # claim.coded arrived for a claim that was already billed
    USER_REPLACEMENT = "user_replacement"
    USER_VOID = "user_void"


class CorrectionNotAllowed(SubmissionError):
    """The claim's history does not allow this correction now; the message says why (no PHI)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason  # a stable code: awaiting_payer, never_accepted, already_voided, not_billed


@dataclass(frozen=True, slots=True)
class SentVersion:
    """One earlier submission of the claim, as the correction rules need to see it."""

    claim_version: int
    frequency_code: str
    payer_responsibility: str  # primary, secondary, tertiary: which coverage the version billed
    status: str  # pending, sent, accepted, rejected, refused
    payer_claim_control_number: str | None = None

    @property
    def accepted_by_payer(self) -> bool:
        """The payer took it into adjudication and told us its number for it."""
        return self.payer_claim_control_number is not None and self.status not in ("rejected", "refused")


@dataclass(frozen=True, slots=True)
class NextVersion:
    """The version to send: its number, frequency and the payer claim control number it corrects."""

    claim_version: int
    frequency_code: ClaimFrequency
    payer_claim_control_number: str | None
    corrects_version: int | None  # the accepted version a 7 or 8 replaces or voids


def plan_next_version(history: Sequence[SentVersion], trigger: CorrectionTrigger) -> NextVersion:
    """The next primary claim version for this trigger, or CorrectionNotAllowed saying why not."""
    next_number = max((v.claim_version for v in history), default=0) + 1
    primary = sorted((v for v in history if v.payer_responsibility == "primary"), key=lambda v: v.claim_version)
    if primary and primary[-1].status in AWAITING_PAYER:
        raise CorrectionNotAllowed("awaiting_payer", f"claim version {primary[-1].claim_version} is still awaiting "
                                   "the payer's acknowledgement; correct it once it is accepted or rejected")
    live = _live_at_payer(primary)
    voided = live is not None and live.frequency_code == ClaimFrequency.VOID
    if trigger is CorrectionTrigger.RECODED:
        if live is None or voided:
            # Never accepted (or taken back by a void): the payer has no claim to replace.
            return NextVersion(next_number, ClaimFrequency.ORIGINAL, None, None)
        return NextVersion(next_number, ClaimFrequency.REPLACEMENT, live.payer_claim_control_number,
                           live.claim_version)
    if not primary:
        raise CorrectionNotAllowed("not_billed", "the claim has not been billed to its primary payer yet")
    if voided:
        raise CorrectionNotAllowed("already_voided", "the claim was voided at the payer; bill it again as a new claim")
    if live is None:
        raise CorrectionNotAllowed("never_accepted", "the payer never accepted this claim, so there is no payer "
                                   "claim control number to correct; correct the encounter to bill it as an original")
    frequency = ClaimFrequency.VOID if trigger is CorrectionTrigger.USER_VOID else ClaimFrequency.REPLACEMENT
    return NextVersion(next_number, frequency, live.payer_claim_control_number, live.claim_version)


def _live_at_payer(primary: Sequence[SentVersion]) -> SentVersion | None:
    """The latest version the payer accepted: the claim as the payer now holds it."""
    accepted = [v for v in primary if v.accepted_by_payer]
    return accepted[-1] if accepted else None


def encounter_for_frequency(encounter: Encounter, frequency: ClaimFrequency) -> Encounter:
    """The encounter as billed at that frequency: an institutional bill carries it in its type of bill."""
    if encounter.claim_type != "institutional" or encounter.type_of_bill is None:
        return encounter
    type_of_bill = encounter.type_of_bill
    if frequency is ClaimFrequency.ORIGINAL and type_of_bill[-1] not in ("7", "8"):
        return encounter  # keep the bill's own first-claim frequency (1, 2, 3, 4, ...)
    if frequency is ClaimFrequency.ORIGINAL:
        frequency_digit = "1"
    else:
        frequency_digit = frequency.value
    return encounter.model_copy(update={"type_of_bill": type_of_bill[:-1] + frequency_digit})
