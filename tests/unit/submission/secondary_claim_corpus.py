"""Deterministic prior-payer adjudications (what a primary's 835 says) and secondary 837P claims built on them."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from claim_corpus import encounter_document

from services.submission.domain import (
    BillableClaim,
    CasAdjustment,
    PriorLineAdjudication,
    PriorPayerAdjudication,
)
from shared.contracts.encounter import Encounter, Payer

CENTS = Decimal("0.01")


def _share(amount: Decimal, fraction: float) -> Decimal:
    return (amount * Decimal(str(fraction))).quantize(CENTS, rounding=ROUND_DOWN)


def line_adjustments(rng: random.Random, charge: Decimal) -> list[CasAdjustment]:
    """A plausible 835 line: contractual write-off, then deductible / coinsurance / copay, or a denial."""
    if rng.random() < 0.1:
        return [CasAdjustment("CO", "50", charge)]  # not medically necessary: the whole charge, nothing paid
    adjustments = [CasAdjustment("CO", "45", _share(charge, rng.uniform(0.05, 0.5)))]
    remaining = charge - adjustments[0].amount
    for reason in rng.sample(["1", "2", "3"], k=rng.randint(0, 3)):
        amount = min(remaining, _share(remaining, rng.uniform(0.0, 0.3)) or CENTS)
        adjustments.append(CasAdjustment("PR", reason, amount))
        remaining -= amount
    if rng.random() < 0.2:
        adjustments.append(CasAdjustment("OA", "23", min(remaining, CENTS * rng.randint(0, 500))))
    return [a for a in adjustments if a.amount]


def adjudication_for(
    rng: random.Random,
    payer: Payer,
    charges: Sequence[Decimal],
    line_control_numbers: Sequence[str],
    index: int,
) -> PriorPayerAdjudication:
    """The primary payer's balanced adjudication: line-level for most claims, claim-level only for every fourth."""
    payer_id, payer_name = payer.payer_id, payer.name
    adjudicated_on = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randint(0, 40))
    total = sum(charges, Decimal("0.00"))
    if index % 4 == 3:
        claim_level = [CasAdjustment("CO", "45", _share(total, 0.3)), CasAdjustment("PR", "2", _share(total, 0.1))]
        paid = total - sum((a.amount for a in claim_level), Decimal("0.00"))
        return PriorPayerAdjudication(payer_id, payer_name, paid, adjudicated_on, claim_level)
    lines = []
    for charge, number in zip(charges, line_control_numbers, strict=True):
        adjustments = line_adjustments(rng, charge)
        paid = charge - sum((a.amount for a in adjustments), Decimal("0.00"))
        lines.append(PriorLineAdjudication(number, paid, adjustments))
    paid_total = sum((line.paid for line in lines), Decimal("0.00"))
    claim_level: list[CasAdjustment] = []
    if index % 4 == 1 and paid_total > 1:
        # Medicare sequestration is taken at claim level after the lines are priced.
        claim_level = [CasAdjustment("CO", "253", _share(paid_total, 0.02) or CENTS)]
        paid_total -= claim_level[0].amount
    icn = f"ICN{index:08d}" if index % 2 else None  # the primary's own claim number, when its 835 gave one
    return PriorPayerAdjudication(payer_id, payer_name, paid_total, adjudicated_on, claim_level, lines, icn)


def secondary_claims(count: int, seed: int = 2320) -> list[BillableClaim]:
    """count professional claims billed to the secondary payer, each carrying the primary's adjudication."""
    rng = random.Random(seed)
    claims = []
    for index in range(count):
        document = encounter_document(index, rng)
        # Every claim here has a secondary; some a tertiary too, whose 2320 carries no amounts.
        if len(document["coverages"]) == 1:
            document["coverages"].append({**document["coverages"][0], "priority": "secondary"})
            document["coverages"][1]["member_id"] += "S"
        encounter = Encounter.model_validate(document)
        numbers = [f"S{index}-{n}" for n in range(1, len(encounter.service_lines) + 1)]
        charges = [line.charge for line in encounter.service_lines]
        claims.append(
            BillableClaim(
                patient_control_number=f"SEC{seed % 1000:03d}{index:07d}",
                frequency_code="1",
                encounter=encounter,
                line_control_numbers=numbers,
                prior_payer_adjudication=adjudication_for(
                    rng, encounter.primary_coverage.payer, charges, numbers, index
                ),
            )
        )
    return claims
