"""835s written per scenario for a claim the stack billed: each claim payment is described, the file balances.

CLP03/CLP04/CLP05 are the sums of their lines, BPR02 = sum CLP04 - sum PLB, so every file is balanced
(TR3 1.10.2) unless a scenario breaks it on purpose. Amounts in Decimal, written without trailing zeros.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg
import httpx

from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import BilledClaim, _amount, _envelope, billed_claim
from tests.support.coding_review import resolve_as_coder
from tests.support.encounters import encounter_for

BILLING_NPI = "1234567893"  # the example encounter's billing provider (the dev tenant is paid under it)


@dataclass(frozen=True)
class Line:
    paid: Decimal
    adjustments: tuple[tuple[str, str, Decimal], ...]
    procedure: str | None = None  # SVC01 as the payer writes it; default: as billed
    echo_control_number: bool = True  # REF*6R


@dataclass(frozen=True)
class ClaimPayment:
    status: str
    payer_claim_control_number: str
    lines: tuple[Line, ...]
    sign: int = 1  # -1 for a CLP02=22 reversal: every amount negated
    crossover_carrier: bool = False  # NM1*TT


@dataclass(frozen=True)
class ProviderAdjustment:
    reason: str
    reference: str
    amount: Decimal


@dataclass
class Era:
    claim: BilledClaim
    payments: list[ClaimPayment]
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    trace_number: str = field(default_factory=lambda: f"E2E{uuid.uuid4().hex[:20].upper()}")
    payee_npi: str | None = None  # N1*PE (default: the claim's billing provider): remittance routes by it
    payee_tin: str | None = None  # REF*TJ (likewise)

    def text(self) -> str:
        """The 835 interchange."""
        npi, tin = self.payee_npi or self.claim.payee_npi, self.payee_tin or self.claim.payee_tin
        today = dt.date.today().strftime("%Y%m%d")
        claims: list[str] = []
        paid_total = Decimal(0)
        for payment in self.payments:
            segments, paid = self._claim(payment)
            claims += segments
            paid_total += paid
        bpr_total = paid_total - sum((p.amount for p in self.provider_adjustments), Decimal(0))
        body = [
            f"BPR*I*{_amount(bpr_total)}*C*CHK************{today}", f"TRN*1*{self.trace_number}*1990000009",
            f"DTM*405*{today}", "N1*PR*E2E TEST HEALTH PLAN", "N3*1 PAYER PLAZA", "N4*CHICAGO*IL*606011234",
            "REF*2U*E2EPAY", "PER*BL*PROVIDER SERVICES*TE*8005550199",
            f"N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*{npi}", f"REF*TJ*{tin}", "LX*1", *claims]
        if self.provider_adjustments:
            pairs = "*".join(f"{p.reason}:{p.reference}*{_amount(p.amount)}" for p in self.provider_adjustments)
            body.append(f"PLB*{npi}*{dt.date.today().year}1231*{pairs}")
        return _envelope("HP", "005010X221A1", body, st03=False)

    def _claim(self, payment: ClaimPayment) -> tuple[list[str], Decimal]:
        sign, claim = payment.sign, self.claim
        lines: list[str] = []
        charge = paid = patient = Decimal(0)
        for billed, line in zip(claim.lines, payment.lines, strict=True):
            units = Decimal(billed.units or "1") * sign
            lines.append(f"SVC*{line.procedure or billed.procedure}*{_amount(billed.charge * sign)}"
                         f"*{_amount(line.paid * sign)}**{_amount(units)}")
            lines.append(f"DTM*472*{billed.service_date}")
            lines += [f"CAS*{group}*{reason}*{_amount(amount * sign)}" for group, reason, amount in line.adjustments]
            if line.echo_control_number:
                lines.append(f"REF*6R*{billed.line_control_number}")
            charge += billed.charge
            paid += line.paid
            patient += sum((a for g, _, a in line.adjustments if g == "PR"), Decimal(0))
        head = [f"CLP*{claim.patient_control_number}*{payment.status}*{_amount(charge * sign)}*{_amount(paid * sign)}"
                f"*{_amount(patient * sign)}*12*{payment.payer_claim_control_number}*11*1",
                f"NM1*QC*1*{claim.patient_last}*{claim.patient_first}****MI*{claim.member_id}"]
        if payment.crossover_carrier:
            head.append("NM1*TT*2*SUPPLEMENTAL MUTUAL*****PI*SUPP01")
        return head + lines, paid * sign


def payer_claim_control_number() -> str:
    return f"E2E{uuid.uuid4().hex[:14].upper()}"


async def billed_claims(api: httpx.AsyncClient, stack: dict[str, str], count: int,
                        **changes) -> list[tuple[str, BilledClaim]]:
    """count acknowledge-only claims (no 835 of their own) once accepted: (claim id, what the 837 billed)."""
    claim_ids = []
    for _ in range(count):
        response = await post_encounter(api, stack, encounter_for("SIMACK", **changes))
        assert response.status_code == 202, response.text
        claim_ids.append(response.json()["claim_id"])
    billed = []
    for claim_id in claim_ids:
        reached = await claim_reaching(api, stack, claim_id, {"accepted", "coding_review"})
        if reached["status"] == "coding_review":  # a claim the changes send to a coder: a coder signs off
            await resolve_as_coder(api, stack, claim_id)
            await claim_reaching(api, stack, claim_id, {"accepted"})
        submissions = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()
        billed.append((claim_id, billed_claim(submissions["submissions"][-1]["x12"])))
    return billed


async def deliver(anonymous: httpx.AsyncClient, stack: dict[str, str], database: asyncpg.Pool, x12: str) -> str:
    """Send an 835 through the clearinghouse's signed ERA webhook; the outcome remittance recorded."""
    response = await anonymous.post(f"{stack['CLEARINGHOUSE_URL']}/v1/eras", content=x12.encode())
    assert response.status_code == 202, response.text
    delivery_id = response.json()["webhook_id"]
    return await eventually(
        lambda: database.fetchval("SELECT outcome FROM remittance.era_files WHERE delivery_id = $1", delivery_id),
        lambda outcome: outcome not in (None, "received"), f"remittance to record delivery {delivery_id}")


async def delivered_file(database: asyncpg.Pool, trace_number: str) -> asyncpg.Record:
    """The era row of a trace number with its file's outcome."""
    return await database.fetchrow(
        "SELECT e.*, f.outcome, f.parse_error FROM remittance.eras e JOIN remittance.era_files f USING (delivery_id) "
        "WHERE e.trace_number = $1 ORDER BY e.received_at DESC LIMIT 1", trace_number)
