"""Applying the clearinghouse's 999 and 277CA to submissions.

Each delivery is stored whole first (its webhook id makes a repeat a no-op); an ack that does not
parse is kept, flagged with the parse error and applied to nothing. An ack about a claim we do not
know is recorded as unmatched.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.repository import SubmissionStore
from services.submission.domain.ack_277ca import parse_277ca
from services.submission.domain.ack_999 import FunctionalAcknowledgement, parse_999_all
from services.submission.domain.claim_acknowledgement import ClaimAcknowledgement
from services.submission.domain.errors import AckParseError
from services.submission.service_layer.handlers import _envelope
from shared.events.claim_events import ClaimAccepted, ClaimRejected
from shared.x12.tokenizer import X12SyntaxError


async def receive_acknowledgement(session: AsyncSession, delivery_id: str, kind: str,
                                  x12: str) -> tuple[str, str | None]:
    """Store and apply one delivered ack; returns the outcome (applied, duplicate, unmatched, partial,
    parse_error) and the parse error, which names positions and codes only (no PHI)."""
    store = SubmissionStore(session)
    if not await store.store_acknowledgement(delivery_id, kind, x12):
        return "duplicate", None
    try:
        if kind == "x12.999":
            outcome = await _apply_999s(store, parse_999_all(x12))
        elif kind == "x12.277ca":
            outcome = await _apply_277ca(store, parse_277ca(x12).claims)
        else:
            raise AckParseError(f"unsupported acknowledgement type {kind}")
    except (AckParseError, X12SyntaxError) as error:
        await store.set_acknowledgement_outcome(delivery_id, "parse_error", str(error)[:1000])
        return "parse_error", str(error)[:1000]
    await store.set_acknowledgement_outcome(delivery_id, outcome)
    return outcome, None


async def _apply_999s(store: SubmissionStore, acks: list[FunctionalAcknowledgement]) -> str:
    # A batch's claims share its group control number: the 999 answers for each of them.
    matches = [(ack, submission) for ack in acks
               for submission in await store.submissions_by_control_number(int(ack.group_control_number))]
    matched = len({id(ack) for ack, _ in matches})
    for ack, submission in matches:
        await store.update_submission(submission["submission_id"], ack_999=ack.status)
        if ack.accepted or submission["status"] not in ("sent",):
            continue
        errors = [f"{e.segment_id} at position {e.position}" + (f" code {e.error_code}" if e.error_code else "")
                  for ts in ack.transaction_sets for e in ts.segment_errors]
        reason = "999 rejected the transaction" + (": " + "; ".join(errors[:5]) if errors else "")
        await store.update_submission(submission["submission_id"], status="rejected")
        await store.update_billing_claim(submission["claim_id"], status="rejected")
        event = ClaimRejected(submission_id=submission["submission_id"], stage="999", status_category=ack.status,
                              status_code=",".join(ack.error_codes) or ack.status, reason=reason)
        await store.record(submission["claim_id"], [_envelope(event, submission)])
    return _outcome(matched, len(acks))


async def _apply_277ca(store: SubmissionStore, claims: tuple[ClaimAcknowledgement, ...]) -> str:
    matched = 0
    for claim_ack in claims:
        claim = await store.billing_claim_by_pcn(claim_ack.patient_control_number)
        submission = await store.latest_submission(claim["claim_id"]) if claim else None
        if submission is None or submission["status"] not in ("sent", "accepted"):
            continue
        matched += 1
        detail = {"category": claim_ack.status_category_code, "status_code": claim_ack.status_code,
                  "entity": claim_ack.entity_code, "payer_claim_control_number": claim_ack.payer_claim_control_number}
        if claim_ack.accepted:
            await store.update_submission(submission["submission_id"], status="accepted", ack_277ca=detail,
                                          payer_claim_control_number=claim_ack.payer_claim_control_number)
            await store.update_billing_claim(submission["claim_id"], status="accepted",
                                             payer_claim_control_number=claim_ack.payer_claim_control_number)
            event = ClaimAccepted(submission_id=submission["submission_id"],
                                  payer_claim_control_number=claim_ack.payer_claim_control_number,
                                  status_category=claim_ack.status_category_code, status_code=claim_ack.status_code)
        else:
            await store.update_submission(submission["submission_id"], status="rejected", ack_277ca=detail)
            await store.update_billing_claim(submission["claim_id"], status="rejected")
            event = ClaimRejected(
                submission_id=submission["submission_id"], stage="277CA",
                status_category=claim_ack.status_category_code, status_code=claim_ack.status_code,
                reason=f"277CA {claim_ack.status_category_code}:{claim_ack.status_code}"
                       + (f" entity {claim_ack.entity_code}" if claim_ack.entity_code else ""))
        await store.record(submission["claim_id"], [_envelope(event, submission)])
    return _outcome(matched, len(claims))


def _outcome(matched: int, total: int) -> str:
    if matched == total:
        return "applied"
    return "unmatched" if matched == 0 else "partial"
