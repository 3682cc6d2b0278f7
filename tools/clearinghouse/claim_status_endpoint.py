"""POST /v1/claim-status: a 276 claim status inquiry in the body, its 277 response back (real time).

200 with the 277 as application/edi-x12; 400 problem+json when the body is not a 276 (005010X212).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from tools.clearinghouse.outbound_envelope import OutboundControl
from tools.clearinghouse.x12_277 import InquiryRejected, read_276, write_277

router = APIRouter()


@router.post("/v1/claim-status")
async def claim_status(request: Request) -> Response:
    """Answer a 276 with a 277 from what the simulator received and adjudicated."""
    simulator = request.app.state.simulator
    try:
        inquiry = read_276((await request.body()).decode("utf-8"))
    except (UnicodeDecodeError, InquiryRejected) as error:
        detail = str(error) if isinstance(error, InquiryRejected) else "the body must be UTF-8 X12 text"
        problem = {"type": "urn:claimline:clearinghouse:invalid-inquiry", "title": "Inquiry cannot be read",
                   "status": 400, "detail": detail}
        return JSONResponse(problem, 400, media_type="application/problem+json")
    number = simulator.ledger.next_control_number()
    control = OutboundControl(number, number, simulator.clock())
    return Response(write_277(inquiry, simulator.ledger, control), media_type="application/edi-x12")
