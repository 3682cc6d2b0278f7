"""Appeal decisions in the simulator: a payer that overturns a denial sends a new 835 paying the claim.

POST /v1/appeals  {"payer_claim_control_number": "...", "paid": "123.45" (optional, default the full charge)}
    202 {"webhook_id", "paid"}: the overturning 835 (CLP02=1) goes out through the ERA webhook;
    404 problem+json when no denied claim carries that number.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tools.clearinghouse.adjudication import (
    CONTRACTUAL,
    PRIMARY,
    ZERO,
    Adjustment,
    ClaimAdjudication,
    LineAdjudication,
    check_balanced,
)
from tools.clearinghouse.ledger import ClaimRecord, Ledger
from tools.clearinghouse.outbound_envelope import OutboundControl, Party
from tools.clearinghouse.simulator import ClearinghouseSimulator
from tools.clearinghouse.webhook_delivery import trace_headers
from tools.clearinghouse.x12_835 import Remittance, write_835

router = APIRouter()
CLEARINGHOUSE = Party("ZZ", "SIMCLEARING", "SIMCLEARING")
SUBMITTER = Party("ZZ", "CLAIMLINE", "CLAIMLINE")
AFTER_APPEAL = "50"  # what the payer still refuses after a partial overturn stays CO-50


class AppealDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payer_claim_control_number: str = Field(min_length=1, max_length=50)
    paid: Decimal | None = Field(default=None, gt=0)


def _denied_claim(ledger: Ledger, number: str) -> ClaimRecord | None:
    records = [claim for interchange in ledger.interchanges for claim in interchange.claims
               if claim.payer_claim_control_number == number and claim.adjudication == "denied"]
    return records[-1] if records else None


def overturn(record: ClaimRecord, paid: Decimal | None) -> ClaimAdjudication:
    """The payer's new answer: every line paid in full, or paid pro rata up to `paid` with the rest refused."""
    claim = record.claim
    total = claim.lines_total
    target = min(paid, total) if paid is not None else total
    lines, left = [], target
    for index, line in enumerate(claim.lines):
        share = left if index == len(claim.lines) - 1 else min(left, (line.charge * target / total).quantize(
            Decimal("0.01")))
        left -= share
        refused = line.charge - share
        adjustments = (Adjustment(CONTRACTUAL, AFTER_APPEAL, refused),) if refused > ZERO else ()
        lines.append(LineAdjudication(line, line.charge, share, share, adjustments))
    assert record.payer_claim_control_number is not None
    result = ClaimAdjudication(claim, record.payer_claim_control_number, PRIMARY, total, tuple(lines))
    check_balanced(result)
    return result


@router.post("/v1/appeals", status_code=202)
async def decide_appeal(request: Request, decision: AppealDecision) -> Response:
    """The payer overturns a denied claim: a new 835 pays it (in full unless `paid` says less)."""
    simulator: ClearinghouseSimulator = request.app.state.simulator
    record = _denied_claim(simulator.ledger, decision.payer_claim_control_number)
    if record is None:
        body: dict[str, Any] = {"type": "urn:claimline:clearinghouse:not-found", "title": "No such denied claim",
                                "status": 404, "detail": "no denied claim carries that payer claim control number"}
        return JSONResponse(body, 404, media_type="application/problem+json")
    result = overturn(record, decision.paid)
    simulator.ledger.record_adjudication(result)
    record.adjudication = "paid"
    remittance = Remittance(payer=simulator.payers[record.claim.payer_id], payee=record.claim.billing_provider,
                            claims=(result,), trace_number=simulator.ledger.next_trace_number(),
                            payment_date=simulator.clock().date())
    number = simulator.ledger.next_control_number()
    x12 = write_835(remittance, CLEARINGHOUSE, SUBMITTER, OutboundControl(number, number, simulator.clock()))
    webhook_id = simulator.inject_era(x12, None, trace_headers(request.headers))
    return JSONResponse({"webhook_id": webhook_id, "paid": str(result.paid)}, 202)
