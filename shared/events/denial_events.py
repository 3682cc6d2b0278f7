"""Claim events owned by the denials service, added after the first contracts in claim_events.

Define each with `@CONTRACTS.register` on a `ClaimEvent` subclass; nested values subclass `Part`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from shared.events.parts import Part
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


@CONTRACTS.register
class ClaimAppealed(ClaimEvent):
    """An appeal of the claim's denial was sent to the payer (intake shows the claim as `appealed`).

    sent_past_deadline is true only when a user overrode the payer's deadline; override_reason says why.
    """

    event_type = "claim.appealed"
    appeal_id: str
    denial_id: str
    level: Literal["first", "second", "external"]
    deadline: dt.date
    appealed_amount: Decimal
    sent_past_deadline: bool
    override_reason: str | None = None


@CONTRACTS.register
class ClaimAppealDecided(ClaimEvent):
    """The payer answered an appeal: a later 835 paid the claim (won, partially_won) or a user recorded a loss."""

    event_type = "claim.appeal_decided"
    appeal_id: str
    denial_id: str
    outcome: Literal["won", "partially_won", "lost"]
    overturned_amount: Decimal
    era_id: str | None = None


@CONTRACTS.register
class ClaimAppealDeadlineApproaching(ClaimEvent):
    """A denial not yet appealed (or an appeal drafted but not sent) nears the payer's appeal deadline."""

    event_type = "claim.appeal_deadline_approaching"
    denial_id: str
    appeal_id: str | None = None
    level: Literal["first", "second", "external"]
    deadline: dt.date
    days_left: int


@CONTRACTS.register
class ClaimClosed(ClaimEvent):
    """The claim's denial was written off (after approval when above the limit): nothing more to recover."""

    event_type = "claim.closed"
    denial_id: str
    write_off_id: str
    reason_code: str
    amount: Decimal


class LearnedEditCondition(Part):
    """When a learned edit fires: a claim to this payer billing this procedure code, and (if set) lacking it."""

    payer_id: str
    procedure_code: str
    requires: Literal["prior_authorization", "modifier", "nothing"]


@CONTRACTS.register
class ClaimScrubberEditAccepted(ClaimEvent):
    """A user accepted a pre-submission edit denials proposed from recurring preventable denials.

    Tenant-level in meaning, it travels on the stream of the claim whose denial completed the pattern
    (the bus is keyed by claim id). Submission keeps it in its learned edits, idempotently by edit_id,
    and fails new claims of the same tenant that match it (claim.scrub_failed naming edit_id).
    """

    event_type = "claim.scrubber_edit_accepted"
    edit_id: str  # SCR-LRN-nnn
    proposal_id: str
    reason_code: str  # the CARC the edit prevents
    category: str
    condition: LearnedEditCondition
    message: str
    fix_hint: str


@CONTRACTS.register
class ClaimScrubberEditRetired(ClaimEvent):
    """A user retired a learned edit accepted earlier (say the payer changed its rule): stop enforcing it.

    Like the acceptance, tenant-level news on the stream of the claim that last completed the pattern (so it
    may reach submission before or after the acceptance). Submission remembers the retirement by proposal_id,
    idempotently, and from then on no new claim of the tenant fails on edit_id.
    """

    event_type = "claim.scrubber_edit_retired"
    edit_id: str  # SCR-LRN-nnn
    proposal_id: str
    reason: str  # plain language, no PHI
    retired_by: str


@CONTRACTS.register
class ClaimAppealReopened(ClaimEvent):
    """The payer reversed (CLP02=22) the payment that won an appeal: the decision no longer stands.

    With nothing left overturned the appeal is `sent` again (awaiting the payer) and its denial `appealed`,
    open to work; a partial reversal leaves the appeal partially_won for what stays overturned.
    """

    event_type = "claim.appeal_reopened"
    appeal_id: str
    denial_id: str
    status: Literal["sent", "partially_won"]
    reversed_amount: Decimal  # taken back from the overturned amount
    overturned_amount: Decimal  # what stays overturned
    era_id: str
