"""The simulator's injected faults (used by the fault suite): off by default, exact when asked for."""

from __future__ import annotations

from collections import Counter

from .testkit import RunningSimulator, read_fixture

CLAIMS_837 = "837p_simpay_two_claims.x12"


async def set_plan(simulator: RunningSimulator, **plan: float) -> dict:
    response = await simulator.client.put("/v1/faults", json=plan)
    assert response.status_code == 200, response.text
    return response.json()


async def interchanges(simulator: RunningSimulator) -> list[dict]:
    return (await simulator.client.get("/v1/interchanges")).json()["interchanges"]


async def test_no_fault_is_injected_unless_asked(simulator: RunningSimulator) -> None:
    response = await simulator.post_837(read_fixture(CLAIMS_837), "key-1")
    await simulator.settle()
    assert response.status_code == 202
    assert (await simulator.client.get("/v1/faults")).json()["injected"] == {}
    assert len({h.headers["webhook-id"] for h in simulator.receiver.received}) == len(simulator.receiver.received)


async def test_fail_before_answers_503_without_recording_and_the_retry_goes_through(
    simulator: RunningSimulator,
) -> None:
    await set_plan(simulator, submission_fail_before_rate=1.0)
    failed = await simulator.post_837(read_fixture(CLAIMS_837), "key-1")
    assert failed.status_code == 503
    assert await interchanges(simulator) == []
    await set_plan(simulator)
    retried = await simulator.post_837(read_fixture(CLAIMS_837), "key-1")
    assert retried.status_code == 202 and "idempotent-replayed" not in retried.headers
    assert len(await interchanges(simulator)) == 1
    assert (await simulator.client.get("/v1/faults")).json()["injected"] == {"submission_fail_before": 1}


async def test_fail_after_records_once_and_the_retry_is_replayed(simulator: RunningSimulator) -> None:
    await set_plan(simulator, submission_fail_after_rate=1.0)
    failed = await simulator.post_837(read_fixture(CLAIMS_837), "key-1")
    assert failed.status_code == 502
    await set_plan(simulator)
    retried = await simulator.post_837(read_fixture(CLAIMS_837), "key-1")
    assert retried.status_code == 202 and retried.headers["idempotent-replayed"] == "true"
    assert len(await interchanges(simulator)) == 1


async def test_duplicated_webhooks_repeat_the_same_webhook_id(simulator: RunningSimulator) -> None:
    answer = await set_plan(simulator, webhook_duplicate_rate=1.0)
    assert answer["plan"]["webhook_duplicate_rate"] == 1.0
    await simulator.post_837(read_fixture(CLAIMS_837), "key-1")
    await simulator.settle()
    per_id = Counter(h.headers["webhook-id"] for h in simulator.receiver.received)
    assert sorted(per_id.values()) == [3, 3, 3]  # 999, 277CA and 835, each delivered three times
    assert (await simulator.client.get("/v1/faults")).json()["injected"] == {"webhook_duplicate": 6}


async def test_a_rate_outside_zero_to_one_is_refused(simulator: RunningSimulator) -> None:
    response = await simulator.client.put("/v1/faults", json={"submission_delay_rate": 1.5})
    assert response.status_code == 422
