"""Working a denial: correct and resubmit, appeal (with its letter), write off, assign, snooze, comment."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from typing import Any

from services.denials.adapters.letter_pdf import render_pdf
from services.denials.adapters.repository import DenialStore
from services.denials.domain.appeal_letter import compose_letter
from services.denials.domain.appeals import DECIDED, LEVELS, appeal_deadline, check_sendable
from services.denials.domain.write_offs import check_decision, needs_approval
from services.denials.service_layer.policy import DenialsPolicy
from shared.events.denial_events import ClaimAppealDecided, ClaimAppealed, ClaimClosed, ClaimCorrectionRequested
from shared.events.registry import ClaimEvent
from shared.http.problems import Conflict, NotFound, Unprocessable
from shared.messaging.outbox import envelope_for

SOURCE = "denials"
WORKABLE = ("open", "correcting", "appealed")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _denial(store: DenialStore, tenant_id: str, denial_id: str) -> dict[str, Any]:
    denial = await store.get(tenant_id, denial_id, lock=True)
    if denial is None:
        raise NotFound(f"no denial {denial_id}")
    return denial


async def _announce(store: DenialStore, tenant_id: str, claim_id: str, event: ClaimEvent) -> None:
    await store.record(claim_id, [envelope_for(event, source=SOURCE, claim_id=claim_id, tenant_id=tenant_id)])


async def request_correction(store: DenialStore, tenant_id: str, denial_id: str, route: str, reason: str) -> dict:
    """Send the fix to the stage that owns it (intake or coding); submission then sends a frequency-7 claim."""
    denial = await _denial(store, tenant_id, denial_id)
    if denial["status"] not in ("open",):
        raise Conflict(f"the denial is {denial['status']}; only an open denial can be corrected")
    await store.update(denial_id, status="correcting")
    await _announce(store, tenant_id, denial["claim_id"], ClaimCorrectionRequested(
        denial_id=denial_id, route=route, reason=reason,  # type: ignore[arg-type]
        reason_codes=list(denial["reason_codes"]) + list(denial["remark_codes"])))
    return {**denial, "status": "correcting"}


async def draft_appeal(store: DenialStore, tenant_id: str, denial_id: str, level: str, user: str,
                       coding: dict[str, Any] | None, today: dt.date, policy: DenialsPolicy) -> dict[str, Any]:
    """A drafted appeal with its deadline and its letter (PDF); the next level starts from the last decision."""
    denial = await _denial(store, tenant_id, denial_id)
    if denial["status"] not in WORKABLE:
        raise Conflict(f"the denial is {denial['status']}")
    earlier = await store.appeals_of(tenant_id, denial_id=denial_id)
    starts_on = denial["denied_on"] or denial["created_at"].date()
    index = LEVELS.index(level)
    if index > 0:
        previous = [a for a in earlier if a["level"] == LEVELS[index - 1]]
        if not previous or previous[0]["status"] not in ("lost", "partially_won"):
            raise Conflict(f"a {level}-level appeal follows a lost or partially won {LEVELS[index - 1]}-level one")
        starts_on = previous[0]["decided_at"].date()
    if any(a["level"] == level for a in earlier):
        raise Conflict(f"this denial already has a {level}-level appeal")
    deadline = appeal_deadline(denial["payer_id"], level, starts_on, policy.appeal_deadlines)
    facts = await store.facts(denial["claim_id"])
    letter = render_pdf(compose_letter(level=level, denial=denial, facts=facts, coding=coding,
                                       deadline=deadline.deadline, today=today))
    appeal = {
        "appeal_id": str(uuid.uuid4()), "denial_id": denial_id, "claim_id": denial["claim_id"],
        "tenant_id": tenant_id, "level": level, "status": "drafted", "denied_on": starts_on,
        "deadline": deadline.deadline, "deadline_rule": deadline.rule, "letter_pdf": letter,
        "letter_sha256": hashlib.sha256(letter).hexdigest(), "evidence_source": "coding" if coding else "unavailable",
        "appealed_amount": denial["denied_amount"] - denial["recovered_amount"], "created_by": user}
    if not await store.add_appeal(appeal):
        raise Conflict(f"this denial already has a {level}-level appeal")
    return appeal


async def send_appeal(store: DenialStore, tenant_id: str, appeal_id: str, user: str, override_reason: str | None,
                      today: dt.date) -> dict[str, Any]:
    """Mark an appeal sent; past its deadline only with a recorded override reason."""
    appeal = await store.appeal(tenant_id, appeal_id, lock=True)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    late = check_sendable(appeal["status"], appeal["deadline"], today, override_reason)
    values = {"status": "sent", "sent_by": user, "sent_at": utcnow(),
              "override_reason": override_reason if late else None}
    await store.update_appeal(appeal_id, **values)
    await store.update(appeal["denial_id"], status="appealed")
    await _announce(store, tenant_id, appeal["claim_id"], ClaimAppealed(
        appeal_id=appeal_id, denial_id=appeal["denial_id"], level=appeal["level"], deadline=appeal["deadline"],
        appealed_amount=appeal["appealed_amount"], sent_past_deadline=late, override_reason=values["override_reason"]))
    return {**appeal, **values}


async def record_appeal_decision(store: DenialStore, tenant_id: str, appeal_id: str, outcome: str,
                                 overturned: Decimal) -> dict[str, Any]:
    """A decision the payer sent by letter rather than by 835 (typically a loss)."""
    appeal = await store.appeal(tenant_id, appeal_id, lock=True)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    if appeal["status"] != "sent":
        raise Conflict(f"the appeal is {appeal['status']}; only a sent appeal is decided")
    if outcome == "lost":
        overturned = Decimal("0")
    elif overturned <= 0 or overturned > appeal["appealed_amount"]:
        raise Unprocessable("overturned_amount must be above zero and at most the appealed amount")
    now = utcnow()
    await store.update_appeal(appeal_id, status=outcome, overturned_amount=overturned, decided_at=now)
    denial = await _denial(store, tenant_id, appeal["denial_id"])
    if outcome == "lost":
        await store.update(denial["denial_id"], status="open")
    else:
        await store.update(denial["denial_id"], status="resolved", resolution="overturned", resolved_at=now,
                           recovered_amount=denial["recovered_amount"] + overturned)
    await _announce(store, tenant_id, appeal["claim_id"], ClaimAppealDecided(
        appeal_id=appeal_id, denial_id=appeal["denial_id"], outcome=outcome, overturned_amount=overturned))  # type: ignore[arg-type]
    return {**appeal, "status": outcome, "overturned_amount": overturned, "decided_at": now}


async def request_write_off(store: DenialStore, tenant_id: str, denial_id: str, amount: Decimal | None,
                            reason_code: str, note: str | None, user: str, policy: DenialsPolicy) -> dict[str, Any]:
    """Write the balance off now, or wait for a second person's approval above the limit."""
    denial = await _denial(store, tenant_id, denial_id)
    if denial["status"] not in ("open", "appealed", "correcting"):
        raise Conflict(f"the denial is {denial['status']}")
    balance = denial["denied_amount"] - denial["recovered_amount"]
    amount = balance if amount is None else amount
    if amount <= 0 or amount > balance:
        raise Unprocessable("amount must be above zero and at most the denial's open balance")
    pending = needs_approval(amount, policy.write_off_approval_limit)
    write_off = {"write_off_id": str(uuid.uuid4()), "denial_id": denial_id, "claim_id": denial["claim_id"],
                 "tenant_id": tenant_id, "amount": amount, "reason_code": reason_code, "note": note,
                 "status": "pending_approval" if pending else "approved", "requested_by": user}
    await store.add_write_off(write_off)
    if pending:
        await store.update(denial_id, status="pending_write_off")
    else:
        await _close(store, denial, write_off)
    return write_off


async def _close(store: DenialStore, denial: dict[str, Any], write_off: dict[str, Any]) -> None:
    await store.update(denial["denial_id"], status="written_off", resolution="written_off", resolved_at=utcnow())
    await _announce(store, denial["tenant_id"], denial["claim_id"], ClaimClosed(
        denial_id=denial["denial_id"], write_off_id=write_off["write_off_id"], reason_code=write_off["reason_code"],
        amount=write_off["amount"]))


async def decide_write_off(store: DenialStore, tenant_id: str, write_off_id: str, approve: bool, user: str,
                           note: str | None) -> dict[str, Any]:
    """Approve (closing the denial) or reject (reopening it) a pending write-off; never by its requester."""
    write_off = await store.write_off(tenant_id, write_off_id)
    if write_off is None:
        raise NotFound(f"no write-off {write_off_id}")
    check_decision(write_off["status"], write_off["requested_by"], user)
    values = {"status": "approved" if approve else "rejected", "decided_by": user, "decided_at": utcnow(),
              "decision_note": note}
    await store.update_write_off(write_off_id, **values)
    denial = await _denial(store, tenant_id, write_off["denial_id"])
    if approve:
        await _close(store, denial, write_off)
    else:
        await store.update(denial["denial_id"], status="open")
    return {**write_off, **values}


async def assign(store: DenialStore, tenant_id: str, denial_id: str, assignee: str | None) -> None:
    await _denial(store, tenant_id, denial_id)
    await store.update(denial_id, assigned_to=assignee)


async def snooze(store: DenialStore, tenant_id: str, denial_id: str, until: dt.datetime | None) -> None:
    await _denial(store, tenant_id, denial_id)
    await store.update(denial_id, snoozed_until=until)


async def comment(store: DenialStore, tenant_id: str, denial_id: str, author: str, body: str) -> dict[str, Any]:
    await _denial(store, tenant_id, denial_id)
    row = {"comment_id": str(uuid.uuid4()), "denial_id": denial_id, "tenant_id": tenant_id, "author": author,
           "body": body, "created_at": utcnow()}
    await store.add_comment(row)
    return row


def decided(status: str) -> bool:
    return status in DECIDED
