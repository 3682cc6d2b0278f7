"""The simulator app end to end in-process: 837 in, signed 999/277CA/835 webhooks out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from shared.x12.tokenizer import split_segments

from .testkit import (
    TRACEPARENT,
    RunningSimulator,
    assert_signed,
    balance_problems,
    read_fixture,
    segments_of,
)

Validate = Callable[[str], list[str]]
ACK_PATH = "/submission/webhooks/clearinghouse"
ERA_PATH = "/remittance/webhooks/era"


def claim_numbers_277ca(text: str) -> dict[str, str]:
    """Patient control number -> payer claim control number, from a 277CA."""
    numbers: dict[str, str] = {}
    current = ""
    for segment in split_segments(text)[1]:
        if segment[0] == "TRN" and segment[1] == "2" and segment[2].startswith("PCN"):
            current = segment[2]
        elif segment[0] == "REF" and segment[1] == "1K":
            numbers[current] = segment[2]
    return numbers


async def test_837_is_answered_by_999_277ca_and_835_in_order(
    simulator: RunningSimulator, validate_x12: Validate
) -> None:
    response = await simulator.post_837(
        read_fixture("837p_simpay_two_claims.x12"), "key-1", traceparent=TRACEPARENT
    )
    assert response.status_code == 202
    assert response.json() == {"interchange_control_number": "000000101", "claims": 2}
    await simulator.settle()
    hooks = simulator.receiver.received
    assert [(h.path, h.event_type) for h in hooks] == [
        (ACK_PATH, "x12.999"), (ACK_PATH, "x12.277ca"), (ERA_PATH, "x12.835"),
    ]  # fmt: skip
    for hook in hooks:
        assert_signed(hook)
        assert hook.headers["traceparent"] == TRACEPARENT
        data = hook.payload["data"]
        assert data["source_interchange_control_number"] == "000000101"
        assert data["source_idempotency_key"] == "key-1"
        assert data["interchange_control_number"] == segments_of(hook.x12, "ISA")[0][13]
        assert validate_x12(hook.x12) == []
    assert len({h.headers["webhook-id"] for h in hooks}) == 3
    ack_999, ack_277, era = (h.x12 for h in hooks)
    assert segments_of(ack_999, "AK9") == [["AK9", "A", "1", "1", "1"]]
    assert balance_problems(era) == []
    issued = claim_numbers_277ca(ack_277)
    assert {clp[1]: clp[7] for clp in segments_of(era, "CLP")} == issued
    assert len(set(issued.values())) == 2


async def test_each_payer_answers_its_own_way(simulator: RunningSimulator, validate_x12: Validate) -> None:
    await simulator.post_837(read_fixture("837p_mixed_payers.x12"), "key-mixed")
    await simulator.settle()
    assert [h.event_type for h in simulator.receiver.received] == ["x12.999", "x12.277ca", "x12.835"]
    era = simulator.receiver.of_type("x12.835")[0].x12
    assert [clp[1:3] for clp in segments_of(era, "CLP")] == [["PCN2001", "4"]]  # only SIMDNY remits
    assert validate_x12(era) == [] and balance_problems(era) == []
    [record] = (await simulator.client.get("/v1/interchanges")).json()["interchanges"]
    outcomes = [(c["payer_id"], c["status"], c["claim_status"], c["adjudication"]) for c in record["claims"]]
    assert outcomes == [
        ("SIMDNY", "accepted", "A2:20", "denied"),
        ("SIMREJ", "rejected", "A3:21", None),
        ("NOSUCHPAYER", "rejected", "A3:26:PR", None),
        ("SIMACK", "accepted", "A2:20", "none"),
    ]


async def test_institutional_837_is_paid(simulator: RunningSimulator, validate_x12: Validate) -> None:
    response = await simulator.post_837(read_fixture("837i_simpay_outpatient.x12"), "key-837i")
    assert response.json()["claims"] == 1
    await simulator.settle()
    [era] = simulator.receiver.of_type("x12.835")
    assert validate_x12(era.x12) == [] and balance_problems(era.x12) == []


async def test_repeated_idempotency_key_replays_the_first_response(simulator: RunningSimulator) -> None:
    text = read_fixture("837p_simpay_two_claims.x12")
    first = await simulator.post_837(text, "same-key")
    await simulator.settle()
    again = await simulator.post_837(text, "same-key")
    await simulator.settle()
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert len((await simulator.client.get("/v1/interchanges")).json()["interchanges"]) == 1
    assert len(simulator.receiver.received) == 3


async def test_concurrent_retries_with_one_key_are_processed_once(simulator: RunningSimulator) -> None:
    text = read_fixture("837p_simpay_two_claims.x12")
    responses = await asyncio.gather(*(simulator.post_837(text, "racing-key") for _ in range(5)))
    await simulator.settle()
    assert {r.status_code for r in responses} == {202}
    assert len((await simulator.client.get("/v1/interchanges")).json()["interchanges"]) == 1
    assert len(simulator.receiver.of_type("x12.835")) == 1


async def test_key_reused_with_another_body_is_refused(simulator: RunningSimulator) -> None:
    await simulator.post_837(read_fixture("837p_simpay_two_claims.x12"), "reused")
    response = await simulator.post_837(read_fixture("837p_mixed_payers.x12"), "reused")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("idempotency-key-reused")


async def test_idempotency_key_is_required(simulator: RunningSimulator) -> None:
    response = await simulator.client.post(
        "/v1/interchanges", content=read_fixture("837p_simpay_two_claims.x12")
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["title"]) == (400, "Idempotency-Key required")
    assert (await simulator.client.get("/v1/interchanges")).json()["interchanges"] == []


async def test_bad_envelope_gets_problem_json_and_a_rejecting_999(
    simulator: RunningSimulator, validate_x12: Validate
) -> None:
    text = read_fixture("837p_simpay_two_claims.x12").replace("SE*39*0001", "SE*38*0001")
    response = await simulator.post_837(text, "bad-envelope", traceparent=TRACEPARENT)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("invalid-interchange") and problem["status"] == 400
    assert problem["detail"].startswith("SE01")
    assert problem["interchange_control_number"] == "000000101"
    assert problem["errors"] == [
        {"detail": problem["detail"], "functional_group": "101", "transaction_set": "0001"}
    ]
    await simulator.settle()
    [hook] = simulator.receiver.received
    assert hook.event_type == "x12.999" and hook.path == ACK_PATH
    assert_signed(hook)
    assert hook.headers["traceparent"] == TRACEPARENT
    assert validate_x12(hook.x12) == []
    assert segments_of(hook.x12, "AK9") == [["AK9", "R", "1", "1", "0"]]
    replay = await simulator.post_837(text, "bad-envelope")
    await simulator.settle()
    assert (replay.status_code, replay.json()) == (400, problem)
    assert len(simulator.receiver.received) == 1
    [record] = (await simulator.client.get("/v1/interchanges")).json()["interchanges"]
    assert (record["status"], record["claims"]) == ("rejected", [])


async def test_text_without_isa_gets_400_and_no_webhook(simulator: RunningSimulator) -> None:
    response = await simulator.post_837("NM1*QC*1*DOE*JANE~", "not-x12")
    assert response.status_code == 400 and "ISA" in response.json()["detail"]
    await simulator.settle()
    assert simulator.receiver.attempts == []


async def test_body_that_is_not_utf8_gets_400(simulator: RunningSimulator) -> None:
    response = await simulator.client.post(
        "/v1/interchanges", content=b"ISA\xff\xfe", headers={"Idempotency-Key": "binary"}
    )
    assert response.status_code == 400 and "UTF-8" in response.json()["detail"]


async def test_resubmitted_claim_version_keeps_its_number_and_is_flagged(simulator: RunningSimulator) -> None:
    text = read_fixture("837p_simpay_two_claims.x12")
    await simulator.post_837(text, "first-send")
    await simulator.post_837(text.replace("000000101", "000000201"), "second-send")
    await simulator.settle()
    first, second = (h.x12 for h in simulator.receiver.of_type("x12.277ca"))
    assert claim_numbers_277ca(first) == claim_numbers_277ca(second)
    records = (await simulator.client.get("/v1/interchanges")).json()["interchanges"]
    assert [[c["duplicate"] for c in r["claims"]] for r in records] == [[False, False], [True, True]]


async def test_replacement_and_void_answer_for_the_original_claims(
    simulator: RunningSimulator, validate_x12: Validate
) -> None:
    await simulator.post_837(read_fixture("837p_simpay_two_claims.x12"), "originals")
    await simulator.settle()
    originals = claim_numbers_277ca(simulator.receiver.of_type("x12.277ca")[0].x12)
    corrections = (
        read_fixture("837p_simpay_corrections.x12")
        .replace("REPLACEDCCN", originals["PCN1002"])
        .replace("VOIDEDCCN", originals["PCN1001"])
    )
    assert (await simulator.post_837(corrections, "corrections")).status_code == 202
    await simulator.settle()
    acknowledged = claim_numbers_277ca(simulator.receiver.of_type("x12.277ca")[1].x12)
    assert acknowledged["PCN1001"] == originals["PCN1001"]  # the void answers under the voided number
    assert acknowledged["PCN1002"] != originals["PCN1002"]  # the replacement is a new claim
    era = simulator.receiver.of_type("x12.835")[1].x12
    assert validate_x12(era) == [] and balance_problems(era) == []
    clps = {clp[1]: clp for clp in segments_of(era, "CLP")}
    assert clps["PCN1002"][2] == "1" and clps["PCN1002"][7] == acknowledged["PCN1002"]
    assert clps["PCN1001"][2:5] == ["22", "-235", "-77.4"] and clps["PCN1001"][7] == originals["PCN1001"]
    assert ["REF", "F8", originals["PCN1002"]] in segments_of(era, "REF")
    records = (await simulator.client.get("/v1/interchanges")).json()["interchanges"]
    assert [c["adjudication"] for c in records[1]["claims"]] == ["paid", "reversed"]


async def test_correction_naming_an_unknown_claim_is_rejected(simulator: RunningSimulator) -> None:
    await simulator.post_837(read_fixture("837p_simpay_corrections.x12"), "unknown-originals")
    await simulator.settle()
    ack = simulator.receiver.of_type("x12.277ca")[0].x12
    assert [s[1] for s in segments_of(ack, "STC") if s[1] != "A1:19"] == ["A7:464", "A7:464"]
    assert simulator.receiver.of_type("x12.835") == []


async def test_claim_total_that_differs_from_its_lines_is_rejected(simulator: RunningSimulator) -> None:
    text = read_fixture("837p_simpay_two_claims.x12").replace("CLM*PCN1002*140.00", "CLM*PCN1002*150.00")
    await simulator.post_837(text, "out-of-balance")
    await simulator.settle()
    ack = simulator.receiver.of_type("x12.277ca")[0].x12
    assert [s[1] for s in segments_of(ack, "STC") if s[1] != "A1:19"] == ["A2:20", "A7:400"]


async def test_injected_era_is_delivered_as_is(simulator: RunningSimulator) -> None:
    await simulator.post_837(read_fixture("837p_simpay_two_claims.x12"), "source")
    await simulator.settle()
    era_text = simulator.receiver.of_type("x12.835")[0].x12
    response = await simulator.client.post("/v1/eras", content=era_text, headers={"traceparent": TRACEPARENT})
    assert response.status_code == 202
    await simulator.settle()
    injected = simulator.receiver.received[-1]
    assert (injected.path, injected.event_type, injected.x12) == (ERA_PATH, "x12.835", era_text)
    assert injected.headers["webhook-id"] == response.json()["webhook_id"]
    assert injected.headers["traceparent"] == TRACEPARENT
    assert injected.payload["data"]["source_interchange_control_number"] is None
    assert_signed(injected)


async def test_injected_era_is_idempotent_with_a_key_and_must_be_an_835(simulator: RunningSimulator) -> None:
    await simulator.post_837(read_fixture("837p_simpay_two_claims.x12"), "source")
    await simulator.settle()
    era_text = simulator.receiver.of_type("x12.835")[0].x12
    first = await simulator.client.post("/v1/eras", content=era_text, headers={"Idempotency-Key": "era-1"})
    again = await simulator.client.post("/v1/eras", content=era_text, headers={"Idempotency-Key": "era-1"})
    await simulator.settle()
    assert first.json() == again.json()
    assert len(simulator.receiver.of_type("x12.835")) == 2
    not_835 = await simulator.client.post("/v1/eras", content=read_fixture("837p_simpay_two_claims.x12"))
    assert not_835.status_code == 400 and not_835.headers["content-type"] == "application/problem+json"


async def test_failed_deliveries_are_retried_until_accepted(simulator: RunningSimulator) -> None:
    simulator.receiver.scripted_statuses = [503, 500]
    await simulator.post_837(read_fixture("837p_simpay_two_claims.x12"), "flaky-receiver")
    await simulator.settle()
    assert [h.event_type for h in simulator.receiver.received] == ["x12.999", "x12.277ca", "x12.835"]
    attempts = simulator.receiver.attempts
    assert len(attempts) == 5 and len({a.headers["webhook-id"] for a in attempts[:3]}) == 1
    deliveries = (await simulator.client.get("/v1/deliveries")).json()["deliveries"]
    assert [(d["type"], d["status"], d["attempts"]) for d in deliveries] == [
        ("x12.999", "delivered", 3), ("x12.277ca", "delivered", 1), ("x12.835", "delivered", 1),
    ]  # fmt: skip


async def test_refused_delivery_is_not_retried_and_the_rest_still_flows(simulator: RunningSimulator) -> None:
    simulator.receiver.scripted_statuses = [401]
    await simulator.post_837(read_fixture("837p_simpay_two_claims.x12"), "refusing-receiver")
    await simulator.settle()
    assert [h.event_type for h in simulator.receiver.received] == ["x12.277ca", "x12.835"]
    deliveries = (await simulator.client.get("/v1/deliveries")).json()["deliveries"]
    assert deliveries[0]["status"] == "failed" and deliveries[0]["attempts"] == 1


async def test_outbound_control_and_trace_numbers_are_unique(simulator: RunningSimulator) -> None:
    text = read_fixture("837p_simpay_two_claims.x12")
    for n in range(3):
        await simulator.post_837(text.replace("000000101", f"00000030{n}"), f"batch-{n}")
    await simulator.settle()
    hooks = simulator.receiver.received
    control_numbers = [segments_of(h.x12, "ISA")[0][13] for h in hooks]
    assert len(control_numbers) == len(set(control_numbers)) == 9
    traces = [segments_of(h.x12, "TRN")[0][2] for h in simulator.receiver.of_type("x12.835")]
    assert len(set(traces)) == 3


async def test_healthz(simulator: RunningSimulator) -> None:
    response = await simulator.client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
