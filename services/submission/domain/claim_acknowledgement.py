"""What a 277CA (005010X214) says about each claim: accepted into adjudication or rejected, and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# Status categories (code source 507). A1 receipt and A2 acceptance mean the payer took the claim in;
# A5 is an accepted claim the payer split. A3/A4/A6/A7/A8 send it back to be fixed and resubmitted.
ACCEPTED_CATEGORIES = frozenset({"A1", "A2", "A5"})
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """One status composite of an STC (STC01, STC10 or STC11) with the segment's date and amount."""

    category_code: str  # -1, e.g. A2 or A7
    status_code: str  # -2, claim status code (code source 508), e.g. 20 or 21
    entity_code: str | None  # -3, whose data is meant, e.g. 85 billing provider, IL subscriber
    effective_date: dt.date | None  # STC02
    action_code: str | None  # STC03: WQ accepted, U reject
    total_charge: Decimal | None  # STC04
    message: str | None  # STC12 free-form text

    @property
    def accepted(self) -> bool:
        """The category says the claim entered adjudication."""
        return self.category_code in ACCEPTED_CATEGORIES

    @property
    def rejected(self) -> bool:
        """The category sends the claim back."""
        return self.category_code in REJECTED_CATEGORIES


def is_accepted(statuses: tuple[ClaimStatus, ...]) -> bool:
    """Accepted when some status accepts and none rejects: one rejecting status sends the claim back."""
    return any(s.accepted for s in statuses) and not any(s.rejected for s in statuses)


@dataclass(frozen=True, slots=True)
class LineAcknowledgement:
    """Loop 2220D: the payer's status for one service line."""

    procedure_code: str  # SVC01-2
    modifiers: tuple[str, ...]  # SVC01-3..6
    charge: Decimal  # SVC02
    units: Decimal | None  # SVC07
    line_control_number: str | None  # REF*FJ: our REF*6R
    service_date_from: dt.date | None
    service_date_to: dt.date | None
    statuses: tuple[ClaimStatus, ...]

    @property
    def accepted(self) -> bool:
        """The line was taken into adjudication."""
        return is_accepted(self.statuses)


class FirstClaimStatus:
    """The first claim-level STC's codes, for a 277CA acknowledgement and a 277 status response alike."""

    __slots__ = ()
    statuses: tuple[ClaimStatus, ...]

    @property
    def status_category_code(self) -> str:
        """STC01-1 of the first claim-level STC."""
        return self.statuses[0].category_code

    @property
    def status_code(self) -> str:
        """STC01-2 of the first claim-level STC."""
        return self.statuses[0].status_code

    @property
    def entity_code(self) -> str | None:
        """STC01-3 of the first claim-level STC."""
        return self.statuses[0].entity_code


@dataclass(frozen=True, slots=True)
class ClaimAcknowledgement(FirstClaimStatus):
    """Loop 2200D: one of our claims as the payer or clearinghouse acknowledged it."""

    patient_control_number: str  # TRN02: our CLM01
    payer_claim_control_number: str | None  # REF*1K
    clearinghouse_trace_number: str | None  # REF*D9
    payer_id: str  # 2100A NM109
    billing_provider_id: str  # 2100C NM109, the NPI for an 837P
    service_date_from: dt.date
    service_date_to: dt.date
    statuses: tuple[ClaimStatus, ...]  # every claim-level STC composite, in order
    lines: tuple[LineAcknowledgement, ...]

    @property
    def status_date(self) -> dt.date | None:
        """STC02 of the first claim-level STC."""
        return self.statuses[0].effective_date

    @property
    def total_charge(self) -> Decimal | None:
        """STC04 of the first claim-level STC: the charge the payer read from our CLM02."""
        return self.statuses[0].total_charge

    @property
    def accepted(self) -> bool:
        """True when accepted into adjudication (A1/A2/A5) and no status rejects it."""
        return is_accepted(self.statuses)


@dataclass(frozen=True, slots=True)
class ClaimAcknowledgementReport:
    """Everything one 277CA interchange acknowledges: every claim, and the verdict on the batch as a whole."""

    claims: tuple[ClaimAcknowledgement, ...]
    batch_statuses: tuple[ClaimStatus, ...]  # 2200B information receiver STC(s)

    def claim(self, patient_control_number: str) -> ClaimAcknowledgement | None:
        """The last acknowledgement of the claim with this CLM01, or None when it is not in the file."""
        matches = [c for c in self.claims if c.patient_control_number == patient_control_number]
        return matches[-1] if matches else None
