"""The simulator's real-time claim status endpoint in-process: a 276 in, the 277 about what it adjudicated out."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from services.submission.domain.claim_status_inquiry_276 import ClaimStatusInquiry, write_276
from services.submission.domain.claim_status_response_277 import parse_277
from services.submission.domain.submission_plan import Submitter
from shared.contracts.encounter import Encounter
from tests.support.encounters import encounter_for
from tests.unit.clearinghouse.testkit import RunningSimulator, read_fixture, running_simulator

NOW = dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
async def simulator() -> AsyncIterator[RunningSimulator]:
    async with running_simulator() as simulator:
        yield simulator


def _inquiry_276(pcn: str, payer: str) -> str:
    encounter = Encounter.model_validate(encounter_for(payer))
    return write_276(Submitter().header(77, NOW), [ClaimStatusInquiry(encounter, pcn, "TRACE77")])


async def test_a_paid_claim_is_finalized_and_an_unknown_one_not_found(simulator: RunningSimulator) -> None:
    assert (await simulator.post_837(read_fixture("837p_simpay_two_claims.x12"), "k1")).status_code == 202
    await simulator.settle()
    interchange = (await simulator.client.get("/v1/interchanges")).json()["interchanges"][0]
    paid = interchange["claims"][0]
    assert paid["adjudication"] == "paid"

    answered = await simulator.client.post("/v1/claim-status",
                                           content=_inquiry_276(paid["patient_control_number"], "SIMPAY"))
    assert answered.status_code == 200 and answered.headers["content-type"].startswith("application/edi-x12")
    [status] = parse_277(answered.text)
    assert (status.trace_number, status.status_category_code, status.status_code) == ("TRACE77", "F1", "65")
    assert status.payer_claim_control_number == paid["payer_claim_control_number"]

    unknown = await simulator.client.post("/v1/claim-status", content=_inquiry_276("NOSUCHCLAIM", "SIMPAY"))
    [status] = parse_277(unknown.text)
    assert (status.status_category_code, status.status_code, status.not_found) == ("A4", "35", True)


@pytest.mark.parametrize("body", [b"", b"\xff\xfe", read_fixture("837p_simpay_two_claims.x12").encode()])
async def test_what_is_not_a_276_is_a_400_problem(simulator: RunningSimulator, body: bytes) -> None:
    response = await simulator.client.post("/v1/claim-status", content=body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 400
