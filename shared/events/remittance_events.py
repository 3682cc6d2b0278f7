"""Claim events owned by the remittance service, added after the first contracts in claim_events.

Define each with `@CONTRACTS.register` on a `ClaimEvent` subclass; nested values subclass `Part`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shared.events.parts import Part
from shared.events.registry import CONTRACTS, ClaimEvent


class AdjudicatedAdjustment(Part):
    """One CAS trio as the prior payer's 835 reported it."""

    group_code: str
    reason_code: str
    amount: Decimal


class AdjudicatedLine(Part):
    """The prior payer's verdict on one billed line, matched by its REF*6R line control number."""

    line_control_number: str
    paid: Decimal
    paid_units: Decimal | None = None
    adjustments: list[AdjudicatedAdjustment]


@CONTRACTS.register
class ClaimSecondaryBillingReady(ClaimEvent):
    """The primary paid (or adjudicated) the claim and the encounter has a secondary coverage:
    submission bills the next payer with the primary's adjudication in the 2320/2330/2430 loops."""

    event_type = "claim.secondary_billing_ready"
    era_id: str
    prior_payer_id: str
    prior_payer_name: str
    prior_payer_claim_control_number: str | None
    adjudication_date: dt.date
    paid_total: Decimal
    claim_adjustments: list[AdjudicatedAdjustment]
    lines: list[AdjudicatedLine]
    next_payer_priority: str  # "secondary" or "tertiary": the coverage to bill now
