"""Killing submission between the send and the record never sends a claim version twice.

The swapped-in instance runs with the test-only fault hook: it exits (os._exit, as abrupt as a
SIGKILL) right after the clearinghouse took a batch and before 'sent' is committed. The usual
instance then starts, finds the batch still 'sending', resends it under the same Idempotency-Key
(the simulator replays its first answer) and records it; the acks the simulator kept redelivering
while submission was down then apply once.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from services.submission.domain.submission_plan import patient_control_number_for
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for
from tests.support.submission_process import restart_submission, submission_quiet

pytestmark = pytest.mark.e2e


async def _batch_of(database: asyncpg.Pool, claim_id: str) -> dict[str, Any] | None:
    row = await database.fetchrow(
        "SELECT b.state, b.send_attempts, b.idempotency_key FROM submission.submissions s"
        " JOIN submission.submission_batches b USING (batch_id) WHERE s.claim_id = $1", claim_id)
    return dict(row) if row else None


async def _received(anonymous: httpx.AsyncClient, stack: dict[str, str], pcn: str) -> list[dict[str, Any]]:
    """Every claim record the simulator keeps for this patient control number."""
    interchanges = (await anonymous.get(f"{stack['CLEARINGHOUSE_URL']}/v1/interchanges")).json()["interchanges"]
    return [claim | {"idempotency_key": i["idempotency_key"]} for i in interchanges for claim in i["claims"]
            if claim["patient_control_number"] == pcn]


async def test_a_crash_between_send_and_record_sends_the_claim_version_once(
        api: httpx.AsyncClient, anonymous: httpx.AsyncClient, stack: dict[str, str], database: asyncpg.Pool) -> None:
    await submission_quiet(database)  # the crash must come with this claim's batch, not an earlier test's
    faulty = await restart_submission({"CLAIMLINE_FAULT_CRASH_AFTER_SEND": "1"})
    try:
        response = await post_encounter(api, stack, encounter_for("SIMACK"))
        assert response.status_code == 202, response.text
        claim_id = response.json()["claim_id"]
        pcn = patient_control_number_for(claim_id)
        assert await faulty.exited(timeout=90), "the fault hook never fired: nothing was sent"
        # Down between send and record: the clearinghouse has the claim, our database says 'sending'.
        assert (await _batch_of(database, claim_id) or {}).get("state") == "sending"
        first = await _received(anonymous, stack, pcn)
        assert len(first) == 1
    finally:
        await restart_submission()

    await claim_reaching(api, stack, claim_id, {"accepted"}, timeout=90)
    batch = await eventually(lambda: _batch_of(database, claim_id), lambda b: b is not None and b["state"] == "sent",
                             "the batch to be recorded sent")
    # The send before the crash left no record of its own; the reconciling resend is the one recorded.
    assert batch["send_attempts"] == 1
    received = await _received(anonymous, stack, pcn)
    assert len(received) == 1 and received[0]["idempotency_key"] == batch["idempotency_key"]
    assert received[0]["duplicate"] is False

    submissions = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()["submissions"]
    assert [(s["claim_version"], s["status"]) for s in submissions] == [(1, "accepted")]
    events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]
    types = [e["type"] for e in events]
    assert types.count("claim.submitted") == 1 and types.count("claim.accepted") == 1, types


async def test_an_ack_for_a_version_whose_answer_was_lost_records_it_sent_then_applies(
        api: httpx.AsyncClient, anonymous: httpx.AsyncClient, stack: dict[str, str], database: asyncpg.Pool) -> None:
    # The simulator records every interchange and then answers 502: we never learn it took the claim,
    # but its 277CA arrives while our batch is still 'sending'.
    faults = f"{stack['CLEARINGHOUSE_URL']}/v1/faults"
    assert (await anonymous.put(faults, json={"submission_fail_after_rate": 1.0})).status_code == 200
    try:
        response = await post_encounter(api, stack, encounter_for("SIMACK"))
        assert response.status_code == 202, response.text
        claim_id = response.json()["claim_id"]
        await claim_reaching(api, stack, claim_id, {"accepted"}, timeout=90)
        batch = await _batch_of(database, claim_id)
        assert batch is not None and batch["state"] == "sending", batch  # no answer recorded yet
    finally:
        assert (await anonymous.put(faults, json={})).status_code == 200

    # The resend is a replay: the batch is recorded sent, and nothing about the claim is said twice.
    await eventually(lambda: _batch_of(database, claim_id), lambda b: b is not None and b["state"] == "sent",
                     "the batch to be recorded sent", timeout=90)
    received = await _received(anonymous, stack, patient_control_number_for(claim_id))
    assert len(received) == 1 and received[0]["duplicate"] is False
    submissions = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")).json()["submissions"]
    assert [(s["claim_version"], s["status"]) for s in submissions] == [(1, "accepted")]
    events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]
    types = [e["type"] for e in events]
    assert types.count("claim.submitted") == 1 and types.count("claim.accepted") == 1, types
    assert types.index("claim.submitted") < types.index("claim.accepted"), types
