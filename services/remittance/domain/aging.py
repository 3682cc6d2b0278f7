"""Accounts receivable: aging buckets, days in A/R and collection rates, from the claims' posted totals.

Insurance A/R is what is still with a payer (a claim's insurance_pending), aged from the date of
service. Patient A/R is patient responsibility not yet paid, each claim's share aged from the day the
payer passed it to the patient; a patient's net payments settle the oldest shares first, and what
they pay beyond every share is a credit, reported apart rather than aged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from services.remittance.domain.patient_ledger import ZERO, ClaimCharges, PatientTransaction

BUCKETS = ("0-30", "31-60", "61-90", "91-120", "120+")
_UPPER_BOUNDS = (30, 60, 90, 120)
DAYS_IN_A_R_WINDOW = 90  # average daily charges over the last 90 days, the usual MGMA convention


def bucket(age_days: int) -> str:
    """The aging bucket of an amount that is age_days old (0-30 includes day 30)."""
    for name, upper in zip(BUCKETS, _UPPER_BOUNDS, strict=False):
        if age_days <= upper:
            return name
    return BUCKETS[-1]


@dataclass(slots=True)
class AgingRow:
    """One payer's or one patient's receivable, per bucket."""

    key: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    credit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    def add(self, age_days: int, amount: Decimal) -> None:
        self.buckets[bucket(age_days)] += amount


@dataclass(frozen=True, slots=True)
class PatientShare:
    """The patient responsibility of one claim and when the payer passed it on."""

    claim: ClaimCharges
    patient_key: str
    billed_to_patient_on: dt.date


def insurance_aging(claims: Iterable[tuple[ClaimCharges, str]], as_of: dt.date, by: str) -> list[AgingRow]:
    """Insurance A/R grouped by payer id (by="payer") or patient key (by="patient"); claims with patient keys."""
    rows: dict[str, AgingRow] = {}
    for claim, key in claims:
        if claim.insurance_pending == 0:
            continue
        group = claim.payer_id if by == "payer" else key
        rows.setdefault(group, AgingRow(group)).add((as_of - claim.date_of_service).days, claim.insurance_pending)
    return sorted(rows.values(), key=lambda r: r.key)


def patient_aging(shares: Sequence[PatientShare], transactions: dict[str, Sequence[PatientTransaction]],
                  as_of: dt.date) -> list[AgingRow]:
    """Patient A/R per patient: shares oldest first, reduced by the patient's net payments."""
    by_patient: dict[str, list[PatientShare]] = defaultdict(list)
    for share in shares:
        by_patient[share.patient_key].append(share)
    rows = []
    for key in sorted(set(by_patient) | set(transactions)):
        paid = sum((t.amount if t.kind == "payment" else -t.amount for t in transactions.get(key, ())), ZERO)
        row = AgingRow(key)
        for share in sorted(by_patient.get(key, ()), key=lambda s: (s.billed_to_patient_on, s.claim.claim_id)):
            settled = min(max(paid, ZERO), share.claim.patient_responsibility)
            paid -= settled
            open_amount = share.claim.patient_responsibility - settled
            if open_amount:
                row.add((as_of - share.billed_to_patient_on).days, open_amount)
        row.credit = max(paid, ZERO)
        if row.total or row.credit:
            rows.append(row)
    return rows


@dataclass(frozen=True, slots=True)
class ReceivablesSummary:
    insurance: dict[str, Decimal]
    patient: dict[str, Decimal]
    patient_credits: Decimal
    charges: Decimal
    collected: Decimal
    written_off: Decimal
    charges_in_window: Decimal

    @property
    def total(self) -> Decimal:
        return sum(self.insurance.values(), ZERO) + sum(self.patient.values(), ZERO)

    @property
    def days_in_a_r(self) -> Decimal | None:
        """Total A/R over the average daily charges of the last 90 days; None without recent charges."""
        if not self.charges_in_window:
            return None
        return _round(self.total / (self.charges_in_window / DAYS_IN_A_R_WINDOW), "0.1")

    @property
    def gross_collection_rate(self) -> Decimal | None:
        """Money collected (payers and patients, net of refunds) over charges."""
        return _round(self.collected / self.charges, "0.0001") if self.charges else None

    @property
    def net_collection_rate(self) -> Decimal | None:
        """Money collected over what could be collected: charges less contractual and other write-offs."""
        collectible = self.charges - self.written_off
        return _round(self.collected / collectible, "0.0001") if collectible else None


def summarise(insurance: Sequence[AgingRow], patient: Sequence[AgingRow], claims: Sequence[ClaimCharges],
              transactions: Sequence[PatientTransaction], as_of: dt.date) -> ReceivablesSummary:
    """Totals by bucket for insurance and patient A/R, with the figures days in A/R and collection rates need."""
    window_start = as_of - dt.timedelta(days=DAYS_IN_A_R_WINDOW)
    patient_money = sum((t.amount if t.kind == "payment" else -t.amount for t in transactions), ZERO)
    return ReceivablesSummary(
        insurance=_bucket_totals(insurance), patient=_bucket_totals(patient),
        patient_credits=sum((r.credit for r in patient), ZERO),
        charges=sum((c.charges for c in claims), ZERO),
        collected=sum((c.insurance_paid for c in claims), ZERO) + patient_money,
        written_off=sum((c.adjustments for c in claims), ZERO),
        charges_in_window=sum((c.charges for c in claims if c.date_of_service > window_start), ZERO))


def _bucket_totals(rows: Sequence[AgingRow]) -> dict[str, Decimal]:
    return {name: sum((r.buckets[name] for r in rows), ZERO) for name in BUCKETS}


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)
