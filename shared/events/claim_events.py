"""The claim lifecycle's event contracts, version 1, grouped by the service that owns each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from shared.contracts.encounter import Encounter
from shared.events.parts import Part
from shared.events.registry import CONTRACTS, ClaimEvent


# intake ---------------------------------------------------------------------------------------
@CONTRACTS.register
class ClaimReceived(ClaimEvent):
    """An encounter was accepted from a practice and became a claim."""

    event_type = "claim.received"
    external_id: str
    encounter: Encounter


# coding ---------------------------------------------------------------------------------------
class CodeDecision(Part):
    code: str
    source: Literal["pms", "suggested", "coder"]


@CONTRACTS.register
class ClaimCoded(ClaimEvent):
    """The claim's final code set: the encounter as it will be billed."""

    event_type = "claim.coded"
    encounter: Encounter
    diagnoses: list[CodeDecision]
    procedures: list[CodeDecision]


@CONTRACTS.register
class ClaimCodingReviewRequired(ClaimEvent):
    """Coding found edits or weak evidence; the claim waits for a coder."""

    event_type = "claim.coding_review_required"
    reasons: list[str]


# submission -----------------------------------------------------------------------------------
class ScrubEdit(Part):
    """One scrubber finding: fixed text and a JSON pointer into the encounter, never the value there."""

    edit_id: str
    severity: Literal["error", "warning"]
    message: str
    fix_hint: str
    pointer: str


@CONTRACTS.register
class ClaimScrubFailed(ClaimEvent):
    """The pre-submission scrubber found errors: the claim was not sent and needs correcting."""

    event_type = "claim.scrub_failed"
    edits: list[ScrubEdit]


class BilledLine(Part):
    line_control_number: str
    procedure_code: str
    modifiers: list[str]
    units: Decimal
    charge: Decimal
    date_of_service: dt.date


@CONTRACTS.register
class ClaimSubmitted(ClaimEvent):
    """A claim version went to the clearinghouse inside an 837 interchange."""

    event_type = "claim.submitted"
    submission_id: str
    claim_version: int
    patient_control_number: str
    frequency_code: Literal["1", "7", "8"]
    payer_id: str
    interchange_control_number: str
    total_charge: Decimal
    billing_provider_npi: str
    patient_account_number: str
    lines: list[BilledLine]


@CONTRACTS.register
class ClaimAccepted(ClaimEvent):
    """The payer accepted the claim into adjudication (277CA A1/A2)."""

    event_type = "claim.accepted"
    submission_id: str
    payer_claim_control_number: str | None
    status_category: str
    status_code: str


@CONTRACTS.register
class ClaimRejected(ClaimEvent):
    """The clearinghouse (999) or payer (277CA) rejected the claim before adjudication."""

    event_type = "claim.rejected"
    submission_id: str
    stage: Literal["999", "277CA"]
    status_category: str
    status_code: str
    reason: str


# remittance -----------------------------------------------------------------------------------
class PostedAdjustment(Part):
    line_control_number: str | None
    group_code: str
    reason_code: str
    amount: Decimal


@CONTRACTS.register
class RemittancePosted(ClaimEvent):
    """An 835 claim payment was posted to the claim's ledger."""

    event_type = "claim.remittance_posted"
    era_id: str
    claim_status: Literal["paid", "partially_paid", "denied", "reversed"]
    payer_id: str
    payer_claim_control_number: str | None
    billed: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    adjustments: list[PostedAdjustment]
    remark_codes: list[str]


# denials --------------------------------------------------------------------------------------
@CONTRACTS.register
class DenialRecorded(ClaimEvent):
    """A denied claim became a denial record to be worked."""

    event_type = "claim.denial_recorded"
    denial_id: str
    category: str
    reason_codes: list[str]
    remark_codes: list[str]
    denied_amount: Decimal


# Contracts added after version 1 live in one module per owning service; importing them here
# registers them wherever any claim event is decoded.
from shared.events import (  # noqa: E402,F401
    coding_events,
    denial_events,
    intake_events,
    remittance_events,
    submission_events,
    tenant_events,
)
