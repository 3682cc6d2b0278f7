"""Write the 835 health care claim payment/advice (005010X221A1) for one payer and payee.

BPR02 = sum of CLP04 - sum of PLB (TR3 1.10.2). When reversals leave the total negative the
debt is carried forward with a negative PLB FB, BPR02 is 0 and the BPR says "notification only".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tools.clearinghouse.adjudication import ClaimAdjudication, LineAdjudication
from tools.clearinghouse.claims import REPLACEMENT, BillingProvider
from tools.clearinghouse.outbound_envelope import (
    OutboundControl,
    Party,
    Segment,
    write_interchange,
    x12_amount,
    x12_date,
)
from tools.clearinghouse.payer_rules import PayerConfig

VERSION_835 = "005010X221A1"
ZERO = Decimal("0")
# CLP06 values the 835 TR3 allows; 837 SBR09 codes outside it (CI, BL, ...) map to the payer's default
ERA_CLAIM_FILING_INDICATORS = frozenset("12 13 14 15 16 17 AM CH DS HM LM MA MB MC OF TV VA WC ZZ".split())


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835: what a payer pays one payee for a batch of claims."""

    payer: PayerConfig
    payee: BillingProvider
    claims: tuple[ClaimAdjudication, ...]
    trace_number: str  # TRN02, unique per ERA
    payment_date: dt.date

    @property
    def claims_paid(self) -> Decimal:
        """Sum of CLP04."""
        return sum((claim.paid for claim in self.claims), ZERO)

    @property
    def forward_balance(self) -> Decimal:
        """The (negative) PLB FB amount that keeps BPR02 from going below zero."""
        return min(self.claims_paid, ZERO)

    @property
    def payment_amount(self) -> Decimal:
        """BPR02."""
        return self.claims_paid - self.forward_balance


def write_835(remittance: Remittance, sender: Party, receiver: Party, control: OutboundControl) -> str:
    """X12 text of the 835 for one remittance."""
    body = _header(remittance) + [["LX", "1"]]
    for claim in remittance.claims:
        body += _claim(claim, remittance.payer)
    if remittance.forward_balance:
        fiscal_year_end = dt.date(remittance.payment_date.year, 12, 31)
        body.append(
            ["PLB", remittance.payee.npi, x12_date(fiscal_year_end), f"FB:{remittance.trace_number}",
             x12_amount(remittance.forward_balance)]
        )  # fmt: skip
    return write_interchange(sender, receiver, control, "HP", VERSION_835, [("835", body)])


def _header(remittance: Remittance) -> list[Segment]:
    payer, payee = remittance.payer, remittance.payee
    amount = remittance.payment_amount
    handling, method = ("I", "CHK") if amount > 0 else ("H", "NON")
    paid_on = x12_date(remittance.payment_date)
    segments: list[Segment] = [
        ["BPR", handling, x12_amount(amount), "C", method, *[""] * 11, paid_on],
        ["TRN", "1", remittance.trace_number, "1" + payer.tax_id],
        ["DTM", "405", paid_on],
        ["N1", "PR", payer.name],
        ["N3", payer.address.line1],
        ["N4", payer.address.city, payer.address.state, payer.address.postal_code],
        ["REF", "2U", payer.payer_id],
        ["PER", "BL", "PROVIDER SERVICES", "TE", payer.billing_contact_phone],
        ["N1", "PE", payee.name, "XX", payee.npi],
    ]
    if payee.tax_id:
        segments.append(["REF", "TJ", payee.tax_id])
    return segments


def _claim(result: ClaimAdjudication, payer: PayerConfig) -> list[Segment]:
    claim = result.claim
    indicator = claim.claim_filing_indicator
    filing = indicator if indicator in ERA_CLAIM_FILING_INDICATORS else payer.era_claim_filing_indicator
    segments: list[Segment] = [
        ["CLP", claim.patient_control_number, result.status_code, x12_amount(result.charge),
         x12_amount(result.paid), x12_amount(result.patient_responsibility), filing,
         result.payer_claim_control_number, claim.facility_code, claim.frequency_code],
    ]  # fmt: skip
    if claim.patient_is_subscriber:
        segments.append(
            ["NM1", "QC", "1", claim.patient.last, claim.patient.first, "", "", "", "MI", claim.member_id]
        )
    else:
        segments.append(["NM1", "QC", "1", claim.patient.last, claim.patient.first])
        segments.append(
            [
                "NM1",
                "IL",
                "1",
                claim.subscriber.last,
                claim.subscriber.first,
                "",
                "",
                "",
                "MI",
                claim.member_id,
            ]
        )
    if claim.frequency_code == REPLACEMENT and claim.original_reference:
        segments.append(["REF", "F8", claim.original_reference])
    for line in result.lines:
        segments += _service_line(line)
    return segments


def _service_line(result: LineAdjudication) -> list[Segment]:
    line = result.line
    procedure = ":".join([line.qualifier, line.procedure_code, *line.modifiers])
    revenue = line.revenue_code if line.revenue_code and line.qualifier != "NU" else ""
    units = "" if line.units == 1 else format(line.units.normalize(), "f")
    segments: list[Segment] = [
        ["SVC", procedure, x12_amount(result.charge), x12_amount(result.paid), revenue, units]
    ]
    if line.service_date and "-" in line.service_date:
        start, end = line.service_date.split("-", 1)
        segments += [["DTM", "150", start], ["DTM", "151", end]]
    elif line.service_date:
        segments.append(["DTM", "472", line.service_date])
    by_group: dict[str, list[str]] = {}
    for adjustment in result.adjustments:
        # one CAS per group code, reason/amount/quantity triplets, at most six per segment
        by_group.setdefault(adjustment.group, []).extend(
            [adjustment.reason, x12_amount(adjustment.amount), ""]
        )
    for group, triplets in by_group.items():
        for start in range(0, len(triplets), 18):
            segments.append(["CAS", group, *triplets[start : start + 18]])
    if line.line_control_number:
        segments.append(["REF", "6R", line.line_control_number])
    segments.append(["AMT", "B6", x12_amount(result.allowed)])
    segments += [["LQ", "HE", remark] for remark in result.remarks]
    return segments
