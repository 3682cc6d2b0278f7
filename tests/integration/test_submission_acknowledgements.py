"""Applying 999s and 277CAs, and the follow-up sweep, on real PostgreSQL built by the real migrations."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.submission.adapters.claim_status_http import ClaimStatusUnavailable
from services.submission.adapters.follow_up_store import FollowUpStore
from services.submission.adapters.repository import SubmissionStore
from services.submission.adapters.tables import acknowledgements, billing_claims, messaging, submissions
from services.submission.domain.follow_up import FollowUpPolicy, PayerPatience
from services.submission.domain.submission_plan import patient_control_number_for
from services.submission.service_layer.acknowledgements import receive_acknowledgement
from services.submission.service_layer.follow_up import run_follow_up
from shared.db import create_engine, session_factory, unit_of_work
from tests.e2e.x12_documents import _envelope, ack_277ca
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment
from tools.clearinghouse.ledger import Ledger
from tools.clearinghouse.outbound_envelope import OutboundControl
from tools.clearinghouse.x12_277 import read_276, write_277

TENANT = "t-acks"
SENT_AT = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
async def sessions(isolated: IsolatedEnvironment) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(isolated.database_url, instrument=False)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def sent_claim(sessions: async_sessionmaker[AsyncSession], status: str = "sent",
                     tenant_id: str = TENANT) -> dict[str, Any]:
    """A billing claim and its version 1, sent, with a fresh control number."""
    claim_id = str(uuid.uuid4())
    async with unit_of_work(sessions) as session:
        store = SubmissionStore(session)
        control_number = await store.next_control_number()
        await store.add_billing_claim({"claim_id": claim_id, "tenant_id": tenant_id,
                                       "patient_control_number": patient_control_number_for(claim_id),
                                       "encounter": encounter_for("SIMACK"), "current_version": 1,
                                       "status": "submitted"})
        submission = {"submission_id": str(uuid.uuid4()), "claim_id": claim_id, "tenant_id": tenant_id,
                      "claim_version": 1, "frequency_code": "1", "payer_id": "SIMACK", "status": status,
                      "interchange_control_number": control_number, "x12": "ISA...", "sent_at": SENT_AT}
        await store.add_submission(submission)
    return submission


def ack_999(group: int, *sets: tuple[int, list[str], str], group_status: str) -> str:
    body = [f"AK1*HC*{group}*005010X222A1"]
    for control, errors, status in sets:
        body += [f"AK2*837*{control:04d}*005010X222A1", *errors, f"IK5*{status}"]
    accepted = sum(1 for _, _, status in sets if status in "AE")
    body.append(f"AK9*{group_status}*{len(sets)}*{len(sets)}*{accepted}")
    return _envelope("FA", "005010X231A1", body, st03=True)


async def deliver(sessions: async_sessionmaker[AsyncSession], kind: str, x12: str) -> tuple[str, str, str | None]:
    delivery_id = f"it-{uuid.uuid4().hex}"
    async with unit_of_work(sessions) as session:
        outcome, error = await receive_acknowledgement(session, delivery_id, kind, x12)
    return delivery_id, outcome, error


async def state(sessions: async_sessionmaker[AsyncSession], submission: dict[str, Any]) -> dict[str, Any]:
    async with sessions() as session:
        row = (await session.execute(select(submissions).where(
            submissions.c.submission_id == submission["submission_id"]))).one()._mapping
        claim = (await session.execute(select(billing_claims.c.status).where(
            billing_claims.c.claim_id == submission["claim_id"]))).scalar_one()
        events = (await session.execute(select(messaging.claim_events.c.event_type, messaging.claim_events.c.data)
                                        .where(messaging.claim_events.c.claim_id == submission["claim_id"]))).all()
    return {"status": row["status"], "ack_999": row["ack_999"], "claim_status": claim,
            "events": [(e.event_type, e.data) for e in events]}


BAD_NAME = ["IK3*NM1*8*2010BA*8", "IK4*3*1035*7*QUILLFEATHER"]


async def test_999_rejection_sends_the_claim_back_with_segment_and_element(sessions) -> None:
    submission = await sent_claim(sessions)
    number = submission["interchange_control_number"]
    _, outcome, error = await deliver(sessions, "x12.999", ack_999(number, (number, BAD_NAME, "R"), group_status="R"))
    assert (outcome, error) == ("applied", None)
    after = await state(sessions, submission)
    assert (after["status"], after["ack_999"], after["claim_status"]) == ("rejected", "R", "rejected")
    [(event_type, data)] = after["events"]
    assert event_type == "claim.rejected" and (data["stage"], data["status_category"]) == ("999", "R")
    assert data["reason"] == ("999 rejected the claim's transaction set: NM1 segment at position 8 in loop 2010BA: "
                              "segment has data element errors; element 03 (data element 1035): invalid code value")
    assert data["status_code"] == "7,8" and "QUILLFEATHER" not in str(data)


@pytest.mark.parametrize(("ours", "group_status", "expected_status"), [
    ("A", "P", "sent"),  # partially accepted: our set was accepted, another was not
    ("E", "E", "sent"),  # accepted with errors: still accepted, the errors are warnings
    ("R", "P", "rejected"),  # partially accepted, and ours is the rejected set
])
async def test_999_verdict_is_read_per_transaction_set(sessions, ours, group_status, expected_status) -> None:
    submission = await sent_claim(sessions)
    number = submission["interchange_control_number"]
    other = (number + 1, ["IK3*CLM*20*2300*8"], "R" if ours != "R" else "A")
    x12 = ack_999(number, (number, BAD_NAME if ours != "A" else [], ours), other, group_status=group_status)
    _, outcome, _ = await deliver(sessions, "x12.999", x12)
    after = await state(sessions, submission)
    assert (outcome, after["status"], after["ack_999"]) == ("applied", expected_status, ours)
    assert [e for e, _ in after["events"]] == (["claim.rejected"] if expected_status == "rejected" else [])


async def test_unreadable_ack_is_kept_and_nothing_is_applied(sessions) -> None:
    submission = await sent_claim(sessions)
    number = submission["interchange_control_number"]
    broken = ack_999(number, (number, BAD_NAME, "R"), group_status="R").replace("IK5*R", "IK5*Q")
    delivery_id, outcome, error = await deliver(sessions, "x12.999", broken)
    assert outcome == "parse_error" and error is not None and "IK501" in error and "QUILLFEATHER" not in error
    assert await state(sessions, submission) == {"status": "sent", "ack_999": None, "claim_status": "submitted",
                                                  "events": []}
    async with sessions() as session:
        kept = (await session.execute(select(acknowledgements).where(
            acknowledgements.c.delivery_id == delivery_id))).one()._mapping
    assert (kept["x12"], kept["outcome"], kept["parse_error"]) == (broken, "parse_error", error)


async def test_277ca_naming_a_known_and_an_unknown_claim_is_partial_and_applies_once(sessions) -> None:
    submission = await sent_claim(sessions)
    known = ack_277ca(patient_control_number_for(submission["claim_id"]))
    unknown_pcn = "ITUNKNOWN" + uuid.uuid4().hex[:8].upper()
    # Two claims in one 277CA: duplicate the patient level for an unknown CLM01 (HL ids renumbered).
    segments = known.split("~\n")
    start = next(i for i, s in enumerate(segments) if s.startswith("HL*4*3*PT"))
    end = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    extra = [s.replace("HL*4*3*PT", "HL*5*3*PT").replace(
        f"TRN*2*{patient_control_number_for(submission['claim_id'])}", f"TRN*2*{unknown_pcn}")
        for s in segments[start:end]]
    se = segments[end].split("*")
    both = "~\n".join(segments[:end] + extra + [f"SE*{int(se[1]) + len(extra)}*{se[2]}"] + segments[end + 1:])
    delivery_id, outcome, _ = await deliver(sessions, "x12.277ca", both)
    assert outcome == "partial"
    async with sessions() as session:
        kept = (await session.execute(select(acknowledgements.c.unmatched_references).where(
            acknowledgements.c.delivery_id == delivery_id))).scalar_one()
    assert kept == [{"kind": "patient_control_number", "reference": unknown_pcn}]
    assert (await state(sessions, submission))["status"] == "accepted"
    _, again, _ = await deliver(sessions, "x12.277ca", both)  # the same content, another delivery id
    assert again == "duplicate"
    assert [e for e, _ in (await state(sessions, submission))["events"]] == ["claim.accepted"]


class FakeClaimStatus:
    """The simulator's 276 -> 277 logic without HTTP; remembers what it was asked."""

    def __init__(self, answer: str | None = None, fail: bool = False):
        self.asked: list[str] = []
        self.answer, self.fail = answer, fail

    async def inquire(self, x12_276: str) -> str:
        self.asked.append(x12_276)
        if self.fail:
            raise ClaimStatusUnavailable("HTTP 503")
        if self.answer is not None:
            return self.answer
        now = dt.datetime.now(dt.UTC)
        return write_277(read_276(x12_276), Ledger(lambda: now), OutboundControl(1, 1, now))


POLICY = FollowUpPolicy(default=PayerPatience(acknowledgement_days=3, remittance_days=21, reinquiry_days=7))


async def inquiries_of(sessions, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
    async with sessions() as session:
        return await FollowUpStore(session).inquiries_of(tenant_id, claim_id)


async def test_sweep_asks_once_per_interval_and_records_failures(sessions) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"  # the sweep runs per tenant: other tests' claims stay out
    no_277ca = await sent_claim(sessions, status="sent", tenant_id=tenant)
    accepted = await sent_claim(sessions, status="accepted", tenant_id=tenant)
    status = FakeClaimStatus()
    first = await run_follow_up(sessions, status, POLICY, SENT_AT + dt.timedelta(days=4), tenant)
    assert {(i["claim_id"], i["reason"], i["outcome"]) for i in first.inquiries} == {
        (no_277ca["claim_id"], "no_277ca", "answered")}  # the accepted claim has 21 days, not 3
    [inquiry] = await inquiries_of(sessions, tenant, no_277ca["claim_id"])
    assert (inquiry["status_category"], inquiry["status_code"]) == ("A4", "35")  # the fake ledger knows nothing

    late = SENT_AT + dt.timedelta(days=22)
    second = await run_follow_up(sessions, FakeClaimStatus(fail=True), POLICY, late, tenant)
    assert {(i["claim_id"], i["outcome"]) for i in second.inquiries} == {
        (no_277ca["claim_id"], "send_failed"), (accepted["claim_id"], "send_failed")}
    third = await run_follow_up(sessions, FakeClaimStatus(answer="not x12"), POLICY,
                                late + dt.timedelta(days=1), tenant)
    assert third.inquiries == []  # both asked a day ago: wait for the re-inquiry interval
    fourth = await run_follow_up(sessions, FakeClaimStatus(answer="not x12"), POLICY,
                                 late + dt.timedelta(days=7), tenant)
    assert {i["outcome"] for i in fourth.inquiries} == {"parse_error"}
    outcomes = [i["outcome"] for i in await inquiries_of(sessions, tenant, accepted["claim_id"])]
    assert outcomes == ["send_failed", "parse_error"]


async def test_remittance_posted_stops_follow_up(sessions) -> None:
    accepted = await sent_claim(sessions, status="accepted")
    async with unit_of_work(sessions) as session:
        await FollowUpStore(session).note_remittance(accepted["claim_id"], TENANT, "era-1", SENT_AT)
    status = FakeClaimStatus()
    swept = await run_follow_up(sessions, status, POLICY, SENT_AT + dt.timedelta(days=60), TENANT)
    assert accepted["claim_id"] not in {i["claim_id"] for i in swept.inquiries}
