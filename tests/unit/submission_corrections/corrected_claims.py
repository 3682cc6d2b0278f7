"""Claims as the corrections and secondary billing send them, for the unit tests of this folder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from services.submission.domain.submission_plan import Submitter, line_control_numbers_for, patient_control_number_for
from services.submission.service_layer.handlers import interchange_for
from shared.contracts.encounter import Encounter
from shared.events.remittance_events import AdjudicatedAdjustment, AdjudicatedLine, ClaimSecondaryBillingReady
from tests.support.encounters import example_encounter

CLAIM_ID = "6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
PCN = patient_control_number_for(CLAIM_ID)
NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


def with_secondary(document: dict[str, Any] | None = None) -> Encounter:
    """The example encounter with a secondary coverage held by the patient's spouse."""
    document = document or example_encounter()
    document["coverages"].append({
        "priority": "secondary", "payer": {"payer_id": "SIMSEC", "name": "Simulated Secondary"},
        "member_id": "SEC778899", "group_number": "G55", "claim_filing_indicator": "CI", "relationship": "spouse",
        "subscriber": {"first_name": "Carlos", "last_name": "Lopez", "date_of_birth": "1980-06-01", "sex": "M",
                       "address": document["patient"]["address"]}})
    return Encounter.model_validate(document)


def primary_paid(primary_version: int = 1, **changes: Any) -> ClaimSecondaryBillingReady:
    """The primary's 835 for the example's two lines (185.00 and 42.00), balanced: charge = paid + CAS."""
    numbers = line_control_numbers_for(PCN, primary_version, 2)
    values: dict[str, Any] = dict(
        era_id="era-1", prior_payer_id="SIMPAY", prior_payer_name="SIMULATED PAYING PAYER",
        prior_payer_claim_control_number="26331ABC0000001", adjudication_date=dt.date(2026, 11, 20),
        paid_total=Decimal("143.60"), claim_adjustments=[],
        lines=[AdjudicatedLine(line_control_number=numbers[0], paid=Decimal("123.00"), adjustments=[
                   AdjudicatedAdjustment(group_code="CO", reason_code="45", amount=Decimal("37.00")),
                   AdjudicatedAdjustment(group_code="PR", reason_code="3", amount=Decimal("25.00"))]),
               AdjudicatedLine(line_control_number=numbers[1], paid=Decimal("20.60"), adjustments=[
                   AdjudicatedAdjustment(group_code="CO", reason_code="45", amount=Decimal("8.40")),
                   AdjudicatedAdjustment(group_code="PR", reason_code="2", amount=Decimal("13.00"))])],
        next_payer_priority="secondary")
    values.update(changes)
    return ClaimSecondaryBillingReady(**values)


def interchange(encounter: Encounter, version: int, frequency: str, number: str | None,
                control_number: int = 1, **kwargs: Any) -> str:
    """The 837 the submission service stores for this version."""
    return interchange_for(Submitter().header(control_number, NOW), CLAIM_ID, encounter, version, frequency,
                           number, **kwargs)
