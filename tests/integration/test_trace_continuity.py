"""One claim, one trace: from POST /v1/encounters through coding, the 837, the clearinghouse's
999/277CA and 835 webhooks, posting and denial handling (in-memory span exporter)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.intake.adapters.tenant_admin import ensure_tenant_key
from shared.telemetry import CLAIM_ID, configure_tracing
from shared.tenancy import new_api_key
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment
from tests.support.inprocess import in_process_stack
from tests.support.payees import register_new_payee, remittance_routes

EXPECTED_STAGES = {
    "POST /v1/encounters",  # intake, the practice's request
    "process claim.received",  # coding
    "process claim.coded",  # submission builds the 837
    "submit 837 to clearinghouse",  # submission's dispatcher
    "POST /v1/webhooks/clearinghouse",  # 999/277CA into submission, 835 into remittance
    "process claim.submitted",  # remittance learns what was billed
    "process claim.remittance_posted",  # denials (and intake's timeline)
    "process claim.denial_recorded",  # intake's timeline
}


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    configure_tracing("claimline-tests", extra_processor=SimpleSpanProcessor(exporter))
    yield exporter
    # The instrumentations patch httpx and aiokafka process-wide: later tests set their own headers.
    HTTPXClientInstrumentor().uninstrument()
    AIOKafkaInstrumentor().uninstrument()


async def wait_for_status(client: httpx.AsyncClient, url: str, wanted: str, timeout: float = 60.0) -> str:
    deadline = asyncio.get_running_loop().time() + timeout
    status = "none"
    while asyncio.get_running_loop().time() < deadline:
        response = await client.get(url)
        status = response.json().get("status", "none") if response.status_code == 200 else "none"
        if status == wanted:
            return status
        await asyncio.sleep(0.2)
    return status


async def test_a_denied_claims_spans_form_one_trace(isolated: IsolatedEnvironment,
                                                    spans: InMemorySpanExporter) -> None:
    key_id, key = new_api_key()
    await ensure_tenant_key(isolated.database_url, "trace-practice", key_id, key)
    npi, provider = await register_new_payee(isolated.database_url, "trace-practice")  # its 835s come back to it
    encounter = encounter_for("SIMDNY", billing_provider=provider)
    async with in_process_stack(isolated) as stack, httpx.AsyncClient(
            headers={"Authorization": f"Bearer {key}"}, timeout=10) as client:
        await remittance_routes(isolated.database_url, npi, "trace-practice")
        response = await client.post(stack.urls["intake"] + "/v1/encounters", json=encounter)
        assert response.status_code == 202, response.text
        claim_id = response.json()["claim_id"]
        status = await wait_for_status(client, f"{stack.urls['intake']}/v1/claims/{claim_id}", "denied")
        assert status == "denied"
        timeline = (await client.get(f"{stack.urls['intake']}/v1/claims/{claim_id}/events")).json()["events"]

    finished = spans.get_finished_spans()
    claim_spans = [s for s in finished if (s.attributes or {}).get(CLAIM_ID) == claim_id]
    trace_ids = {s.context.trace_id for s in claim_spans}
    assert len(claim_spans) >= 6
    assert len(trace_ids) == 1, f"claim spans are spread over {len(trace_ids)} traces"
    trace_id = trace_ids.pop()
    in_trace = [s for s in finished if s.context.trace_id == trace_id]
    names = {s.name for s in in_trace}
    assert EXPECTED_STAGES <= names, f"missing from the trace: {EXPECTED_STAGES - names}"
    consumer_spans = [s for s in claim_spans if s.name.startswith("process ")]
    assert {s.attributes.get("claim.stage") for s in consumer_spans} >= {"coding", "submission", "remittance",
                                                                       "denials", "intake"}
    assert all(s.attributes.get("tenant.id") == "trace-practice" for s in claim_spans)
    assert {s.attributes.get("payer.id") for s in claim_spans if s.name in {
        "process claim.received", "process claim.submitted", "process claim.remittance_posted"}} == {"SIMDNY"}
    webhook_spans = [s for s in in_trace if s.name == "POST /v1/webhooks/clearinghouse"
                     and s.kind.name == "SERVER"]
    assert len(webhook_spans) >= 3, "999, 277CA and 835 deliveries continue the trace"
    assert {e["trace_id"] for e in timeline} == {format(trace_id, "032x")}, "the timeline shows the trace id"

    phi = [encounter["patient"]["last_name"], encounter["patient"]["first_name"],
           encounter["patient"]["date_of_birth"], encounter["coverages"][0]["member_id"],
           encounter["patient"]["address"]["line1"]]
    for span in in_trace:
        text = " ".join([span.name, *(str(v) for v in (span.attributes or {}).values())]
                        + [str(v) for event in span.events for v in (event.attributes or {}).values()])
        leaked = [value for value in phi if value in text]
        assert not leaked, f"span {span.name} carries PHI"
