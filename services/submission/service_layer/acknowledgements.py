"""Applying the clearinghouse's 999 and 277CA to submissions.

Each delivery is stored whole first (its webhook id makes a repeat a no-op), then read completely; only
an ack that reads without error is applied, all of it in the caller's one transaction. An ack that does
not read is kept, flagged with the parse error (segment position and reason) and applied to nothing.
The same X12 delivered again under another webhook id is recognised by its digest and applied once.
What an ack names that we do not know (a group control number, a CLM01) is kept as an unmatched
reference, and the ack shows in the unmatched queue.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.submission.adapters.acknowledgement_store import AcknowledgementStore
from services.submission.adapters.repository import SubmissionStore, utcnow
from services.submission.domain.ack_277ca import parse_277ca
from services.submission.domain.ack_999 import FunctionalAcknowledgement, parse_999_all
from services.submission.domain.ack_reasons import (
    TransactionSetVerdict,
    claim_status_reason,
    status_reason,
    transaction_set_verdict,
)
from services.submission.domain.claim_acknowledgement import ClaimAcknowledgement
from services.submission.domain.errors import AckParseError
from services.submission.service_layer.submission_outcomes import SubmissionOutcomes
from shared.events.claim_events import ClaimAccepted, ClaimRejected
from shared.x12.reader_threads import read_off_the_loop
from shared.x12.tokenizer import X12SyntaxError

PARSE_ERROR_MAX = 1000
AWAITING_ACK = ("sent",)  # a 999 decides only for a submission still waiting for it
AWAITING_277CA = ("sent", "accepted")  # a later 277CA may still reject an A1-received claim


@dataclass
class _Application:
    """What applying one ack did: how many of its items matched, and the ones that did not."""

    total: int = 0
    matched: int = 0
    unmatched: list[dict[str, str]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.matched == self.total:
            return "applied"
        return "unmatched" if self.matched == 0 else "partial"


def content_digest(x12: str) -> str:
    """Identity of an ack's content, whichever delivery brought it."""
    return hashlib.sha256(x12.encode()).hexdigest()


@dataclass(frozen=True)
class ParsedAcknowledgement:
    """A delivery read completely: the 999s it holds, or the claims its 277CA acknowledges."""

    functional_acknowledgements: list[FunctionalAcknowledgement]
    claim_acknowledgements: tuple[ClaimAcknowledgement, ...]


def parse_acknowledgement(kind: str, x12: str) -> ParsedAcknowledgement:
    """The whole ack read into domain values; raises AckParseError before anything is applied."""
    if kind == "x12.999":
        return ParsedAcknowledgement(parse_999_all(x12), ())
    if kind == "x12.277ca":
        return ParsedAcknowledgement([], parse_277ca(x12).claims)
    raise AckParseError(f"unsupported acknowledgement type {kind}")


@dataclass(frozen=True)
class AcknowledgementReading:
    """An ack read: its content, or why it could not be read (positions, codes and limits only)."""

    parsed: ParsedAcknowledgement | None
    error: str | None = None


async def read_acknowledgement(kind: str, x12: str) -> AcknowledgementReading:
    """Parse the ack on an X12 reader thread, off the event loop; a file too large is a parse error naming the limit."""
    try:
        return AcknowledgementReading(await read_off_the_loop(parse_acknowledgement, kind, x12))
    except (AckParseError, X12SyntaxError) as error:
        return AcknowledgementReading(None, str(error)[:PARSE_ERROR_MAX])


async def receive_acknowledgement(session: AsyncSession, delivery_id: str, kind: str, x12: str,
                                  reading: AcknowledgementReading | None = None) -> tuple[str, str | None]:
    """Store and apply one delivered ack; returns the outcome (applied, duplicate, unmatched, partial,
    parse_error) and the parse error, which names positions and codes only (no PHI).

    However many claims the ack answers for, it is read with one query and applied with one statement per
    table (results, submissions, billing claims, events). Pass the ack's `reading` when it was read before the
    transaction; without it, it is read here."""
    store, acks = SubmissionStore(session), AcknowledgementStore(session)
    if not await store.store_acknowledgement(delivery_id, kind, x12):
        return "duplicate", None
    digest = content_digest(x12)
    reading = reading or await read_acknowledgement(kind, x12)
    if reading.parsed is None:
        message = reading.error or "unreadable"
        await acks.finish(delivery_id, "parse_error", digest, parse_error=message)
        return "parse_error", message
    parsed = reading.parsed
    await acks.lock_digest(digest)
    if await acks.applied_copy(digest, delivery_id) is not None:
        await acks.finish(delivery_id, "duplicate", digest)
        return "duplicate", None
    outcomes, results = SubmissionOutcomes(), []
    if kind == "x12.999":
        applied = await _apply_999s(acks, outcomes, results, delivery_id, parsed.functional_acknowledgements)
    else:
        applied = await _apply_277ca(acks, outcomes, results, delivery_id, parsed.claim_acknowledgements)
    await acks.add_results(results)
    await outcomes.write(session)
    await acks.finish(delivery_id, applied.outcome, digest, unmatched=applied.unmatched)
    return applied.outcome, None


def _verdict_for(ack: FunctionalAcknowledgement, control_number: int) -> TransactionSetVerdict:
    """Our transaction set's verdict (ST02 is our control number); the group's when it names no set."""
    for transaction_set in ack.transaction_sets:
        if transaction_set.control_number.isdigit() and int(transaction_set.control_number) == control_number:
            return transaction_set_verdict(transaction_set)
    if len(ack.transaction_sets) == 1:
        return transaction_set_verdict(ack.transaction_sets[0])
    # No AK2 for our set: the group's AK9 speaks for it (an AK9 R with no AK2 rejects everything).
    group_accepted = ack.status in ("A", "E")
    reasons = tuple(f"functional group: code {code}" for code in ack.error_codes)
    return TransactionSetVerdict(str(control_number), ack.status, group_accepted, reasons)


async def _apply_999s(acks: AcknowledgementStore, outcomes: SubmissionOutcomes, results: list[dict[str, Any]],
                      delivery_id: str, functional_acks: list[FunctionalAcknowledgement]) -> _Application:
    application = _Application(total=len(functional_acks))
    # A batch's claims share its group control number: the 999 answers for each of them.
    numbers = {ack.group_control_number: int(ack.group_control_number) for ack in functional_acks
               if ack.group_control_number.isdigit()}
    interchanges = await acks.lock_interchanges(set(numbers.values()))
    matches = []
    for ack in functional_acks:
        submissions = interchanges.get(numbers.get(ack.group_control_number, -1), [])
        if not submissions:
            application.unmatched.append({"kind": "group_control_number", "reference": ack.group_control_number})
            continue
        application.matched += 1
        matches += [(ack, submission) for submission in submissions]
    for ack, submission in matches:
        _receipt_proven(outcomes, submission)
        state = outcomes.state(submission)
        verdict = _verdict_for(ack, submission["interchange_control_number"])
        # A 999 may arrive after the 277CA: it can still note acceptance (and warnings), never reject.
        awaiting = state.status in AWAITING_ACK
        applies = awaiting or (verdict.accepted and state.status in AWAITING_277CA)
        results.append(_result(delivery_id, "x12.999", submission, verdict.status, verdict.accepted, applies,
                               list(verdict.reasons)))
        if not applies:
            continue
        # E ("accepted with errors") stays accepted: its reasons are kept as warnings in the result.
        outcomes.change(submission, ack_999=verdict.status)
        if verdict.accepted:
            continue
        reason = "999 rejected the claim's transaction set" + (
            ": " + "; ".join(verdict.reasons[:5]) if verdict.reasons else "")
        outcomes.change(submission, status="rejected", last_error=reason[:1000])
        outcomes.claim(submission["claim_id"], "rejected")
        error_codes = sorted({e.error_code for ts in ack.transaction_sets for s in ts.segment_errors
                              for e in s.element_errors} | {s.error_code for ts in ack.transaction_sets
                                                            for s in ts.segment_errors if s.error_code})
        outcomes.event(submission, ClaimRejected(
            submission_id=submission["submission_id"], stage="999", status_category=verdict.status,
            status_code=",".join(error_codes) or verdict.status, reason=reason[:1000]))
    return application


async def _apply_277ca(acks: AcknowledgementStore, outcomes: SubmissionOutcomes, results: list[dict[str, Any]],
                       delivery_id: str, claims: tuple[ClaimAcknowledgement, ...]) -> _Application:
    application = _Application(total=len(claims))
    latest = await acks.lock_latest_versions({claim_ack.patient_control_number for claim_ack in claims})
    for claim_ack in claims:
        submission = latest.get(claim_ack.patient_control_number)
        if submission is None:
            application.unmatched.append({"kind": "patient_control_number",
                                          "reference": claim_ack.patient_control_number})
            continue
        application.matched += 1
        _receipt_proven(outcomes, submission)
        status = outcomes.state(submission).status
        reason = claim_status_reason(claim_ack.statuses)
        applies = status in AWAITING_277CA and not (
            status == "accepted" and claim_ack.accepted)  # an accepted claim is accepted once
        results.append(_result(delivery_id, "x12.277ca", submission, claim_ack.status_category_code,
                               claim_ack.accepted, applies, [status_reason(s) for s in claim_ack.statuses]))
        if applies:
            _apply_claim_status(outcomes, submission, claim_ack, reason)
    return application


def _receipt_proven(outcomes: SubmissionOutcomes, submission: dict[str, Any]) -> None:
    """The submission as it stands once its ack is taken as proof that the clearinghouse has it.

    A version still 'pending' in a batch was sent but its answer never recorded (the answer was lost, or
    the sender died before committing): the clearinghouse acknowledging it is the receipt. Record it sent
    first, so claim.submitted precedes the ack's event; the batch's resend is then a replay that records
    nothing twice. A version in no batch has not left us, and stays what it is (the ack is unmatched by
    status and kept)."""
    state = outcomes.state(submission)
    if state.status != "pending" or submission["batch_id"] is None:
        return
    outcomes.sent(submission, state.send_attempts + 1, utcnow())


def _apply_claim_status(outcomes: SubmissionOutcomes, submission: dict[str, Any], claim_ack: ClaimAcknowledgement,
                        reason: str) -> None:
    detail = {"category": claim_ack.status_category_code, "status_code": claim_ack.status_code,
              "entity": claim_ack.entity_code, "payer_claim_control_number": claim_ack.payer_claim_control_number,
              "reason": reason}
    if claim_ack.accepted:
        outcomes.change(submission, status="accepted", ack_277ca=detail,
                        payer_claim_control_number=claim_ack.payer_claim_control_number)
        outcomes.claim(submission["claim_id"], "accepted", claim_ack.payer_claim_control_number)
        event: ClaimAccepted | ClaimRejected = ClaimAccepted(
            submission_id=submission["submission_id"], payer_claim_control_number=claim_ack.payer_claim_control_number,
            status_category=claim_ack.status_category_code, status_code=claim_ack.status_code)
    else:
        # The claim goes back to be corrected: claim.rejected carries the cause in words.
        rejecting = next((s for s in claim_ack.statuses if s.rejected), claim_ack.statuses[0])
        outcomes.change(submission, status="rejected", ack_277ca=detail)
        outcomes.claim(submission["claim_id"], "rejected")
        event = ClaimRejected(submission_id=submission["submission_id"], stage="277CA",
                              status_category=rejecting.category_code, status_code=rejecting.status_code,
                              reason=f"277CA rejected the claim: {reason}"[:1000])
    outcomes.event(submission, event)


def _result(delivery_id: str, kind: str, submission: dict[str, Any], status: str, accepted: bool, applied: bool,
            reasons: list[str]) -> dict[str, Any]:
    return {"delivery_id": delivery_id, "submission_id": submission["submission_id"],
            "claim_id": submission["claim_id"], "tenant_id": submission["tenant_id"], "kind": kind,
            "status": status, "accepted": accepted, "applied": applied, "reasons": reasons}
