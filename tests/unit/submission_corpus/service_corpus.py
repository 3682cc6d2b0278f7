"""A generated corpus of claim versions built the way the submission service builds them.

Every version goes through the service's own path: the correction rules pick the frequency and the
payer claim control number, institutional bills carry it in the type of bill, secondary bills get the
primary's adjudication from a claim.secondary_billing_ready event, and `interchange_for` writes the
837P or 837I with the service's patient and line control numbers.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from claim_corpus import encounter_document
from institutional_corpus import institutional_document
from secondary_claim_corpus import adjudication_for

from services.submission.domain.billable_claim import ClaimFrequency
from services.submission.domain.claim_correction import (
    CorrectionTrigger,
    SentVersion,
    encounter_for_frequency,
    plan_next_version,
)
from services.submission.domain.cob_adjudication import PriorPayerAdjudication
from services.submission.domain.secondary_claim import prior_payer_adjudication
from services.submission.domain.submission_plan import line_control_numbers_for, patient_control_number_for
from shared.contracts.encounter import Encounter
from shared.events.remittance_events import AdjudicatedAdjustment, AdjudicatedLine, ClaimSecondaryBillingReady

DRUGS = [("00409488820", "ML", "2.5"), ("63323026201", "UN", "1"), ("00378180001", "ME", "40")]
# What happened to the claim before this version: (history, trigger) -> the rules choose the version.
SCENARIOS = {
    "original": ([], CorrectionTrigger.RECODED),
    "replacement": ([SentVersion(1, "1", "primary", "accepted", "PAYER-CCN-1")], CorrectionTrigger.RECODED),
    "user_replacement": ([SentVersion(1, "1", "primary", "accepted", "PAYER-CCN-1")],
                         CorrectionTrigger.USER_REPLACEMENT),
    "void": ([SentVersion(1, "1", "primary", "accepted", "PAYER-CCN-1"),
              SentVersion(2, "7", "primary", "accepted", "PAYER-CCN-2")], CorrectionTrigger.USER_VOID),
    "resent_after_rejection": ([SentVersion(1, "1", "primary", "rejected")], CorrectionTrigger.RECODED),
}


@dataclass(frozen=True)
class CorpusVersion:
    """One claim version as the service would queue it."""

    claim_id: str
    scenario: str
    encounter: Encounter
    claim_version: int
    frequency_code: str
    payer_claim_control_number: str | None
    prior_payer_adjudication: PriorPayerAdjudication | None = None


def _with_drugs(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    for line in document["service_lines"]:
        if line["procedure_code"].startswith("J"):
            ndc, unit, quantity = rng.choice(DRUGS)
            line["drug"] = {"ndc": ndc, "unit": unit, "quantity": quantity}
    return document


def _with_secondary(document: dict[str, Any]) -> dict[str, Any]:
    if len(document["coverages"]) == 1:
        document["coverages"].append({**document["coverages"][0], "priority": "secondary",
                                      "member_id": document["coverages"][0]["member_id"] + "S"})
    return document


def _planned(claim_id: str, scenario: str, encounter: Encounter) -> CorpusVersion:
    history, trigger = SCENARIOS[scenario]
    plan = plan_next_version(history, trigger)
    return CorpusVersion(claim_id, scenario, encounter_for_frequency(encounter, plan.frequency_code),
                         plan.claim_version, plan.frequency_code.value, plan.payer_claim_control_number)


def _secondary(claim_id: str, encounter: Encounter, rng: random.Random, index: int) -> CorpusVersion:
    """Version 2 to the secondary, from the event remittance emits for the primary's 835 of version 1."""
    pcn = patient_control_number_for(claim_id)
    charges = [line.charge for line in encounter.service_lines]
    primary = adjudication_for(rng, encounter.primary_coverage.payer, charges,
                               line_control_numbers_for(pcn, 1, len(charges)), index)
    event = ClaimSecondaryBillingReady(
        era_id=f"era-{index}", prior_payer_id=primary.payer_id, prior_payer_name=primary.payer_name,
        prior_payer_claim_control_number=primary.claim_control_number, adjudication_date=primary.adjudication_date,
        paid_total=primary.paid_total, claim_adjustments=[_adjustment(a) for a in primary.claim_adjustments],
        lines=[AdjudicatedLine(line_control_number=line.line_control_number, paid=line.paid,
                               adjustments=[_adjustment(a) for a in line.adjustments]) for line in primary.lines],
        next_payer_priority="secondary")
    adjudication = prior_payer_adjudication(event, pcn, line_control_numbers_for(pcn, 2, len(charges)))
    return CorpusVersion(claim_id, "secondary", encounter_for_frequency(encounter, ClaimFrequency.ORIGINAL), 2,
                         "1", None, adjudication)


def _adjustment(adjustment: Any) -> AdjudicatedAdjustment:
    return AdjudicatedAdjustment(group_code=adjustment.group, reason_code=adjustment.reason, amount=adjustment.amount)


def corpus(professional: int = 150, institutional: int = 70, seed: int = 1500) -> list[CorpusVersion]:
    """professional + institutional claim versions, every scenario and secondary bills among both kinds."""
    rng = random.Random(seed)
    versions = []
    kinds = [*SCENARIOS, "secondary"]
    for index in range(professional + institutional):
        is_professional = index < professional
        number = index if is_professional else index - professional
        document = encounter_document(number, rng) if is_professional else institutional_document(number, rng)
        document = _with_drugs(document, rng) if is_professional else document
        kind = kinds[index % len(kinds)]
        claim_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if kind == "secondary":
            versions.append(_secondary(claim_id, Encounter.model_validate(_with_secondary(document)), rng, index))
        else:
            versions.append(_planned(claim_id, kind, Encounter.model_validate(document)))
    return versions
