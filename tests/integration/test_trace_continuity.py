"""One claim, one trace: from POST /v1/encounters through the 837 and the clearinghouse's 999/277CA and 835
webhooks, and every consumer batch that applied one of its events linked to it (in-memory span exporter).

Consumers trace a batch, not an event: one span per batch with a link to the trace of every claim in it
(OpenTelemetry's messaging conventions for batch processing). The claim's own trace id is what its
timeline shows, on every event, whichever batch applied it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.intake.adapters.tenant_admin import ensure_tenant_key
from shared.telemetry import CLAIM_ID, configure_tracing
from shared.tenancy import new_api_key
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment
from tests.support.inprocess import in_process_stack
from tests.support.payees import register_new_payee, remittance_routes

EXPECTED_IN_TRACE = {
    "POST /v1/encounters",  # intake, the practice's request
    "submit 837 to clearinghouse",  # submission's dispatcher
    "POST /v1/webhooks/clearinghouse",  # 999/277CA into submission, 835 into remittance
}
# The consumer groups whose batches applied one of the claim's events, each batch linked to the claim's trace.
EXPECTED_LINKED_BATCHES = {
    "process coding.claims",  # coded the claim
    "process submission.coded-claims",  # built its 837
    "process remittance.submitted-claims",  # learned what was billed
    "process denials.claims",  # recorded the denial
    "process intake.timeline",  # projected every event onto the timeline
}


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    configure_tracing("claimline-tests", extra_exporter=exporter)
    yield exporter
    # The instrumentations patch httpx and aiokafka process-wide: later tests set their own headers.
    HTTPXClientInstrumentor().uninstrument()


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


async def timeline_with(client: httpx.AsyncClient, url: str, event_type: str, timeout: float = 60) -> list[dict]:
    """The claim's timeline once it holds event_type (or as it stands when timeout passes)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        events = (await client.get(url)).json()["events"]
        if event_type in {e["type"] for e in events} or asyncio.get_running_loop().time() > deadline:
            return events
        await asyncio.sleep(0.2)


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
        # The claim reads denied once its 835 posts; denials records the denial after that, and the batch that
        # applies claim.denial_recorded must have run before the stack stops.
        timeline = await timeline_with(client, f"{stack.urls['intake']}/v1/claims/{claim_id}/events",
                                       "claim.denial_recorded")

    finished = spans.get_finished_spans()
    assert {e["trace_id"] for e in timeline} == {timeline[0]["trace_id"]}, "every event shows the claim's trace"
    trace_id = int(timeline[0]["trace_id"], 16)
    in_trace = [s for s in finished if s.context.trace_id == trace_id]
    names = {s.name for s in in_trace}
    assert EXPECTED_IN_TRACE <= names, f"missing from the trace: {EXPECTED_IN_TRACE - names}"
    webhook_spans = [s for s in in_trace if s.name == "POST /v1/webhooks/clearinghouse"
                     and s.kind.name == "SERVER"]
    assert len(webhook_spans) >= 3, "999, 277CA and 835 deliveries continue the trace"

    linked = [s for s in finished if any(link.context.trace_id == trace_id for link in s.links)]
    assert EXPECTED_LINKED_BATCHES <= {s.name for s in linked}, \
        f"batches not linked to the claim: {EXPECTED_LINKED_BATCHES - {s.name for s in linked}}"
    claim_links = [link for s in linked if s.name.startswith("process ") for link in s.links
                   if link.context.trace_id == trace_id]
    assert {link.attributes.get(CLAIM_ID) for link in claim_links} == {claim_id}
    assert {link.attributes.get("tenant.id") for link in claim_links} == {"trace-practice"}
    assert {link.attributes.get("event.type") for link in claim_links} >= {
        "claim.received", "claim.coded", "claim.submitted", "claim.remittance_posted", "claim.denial_recorded"}
    assert all(s.kind.name == "CONSUMER" and s.attributes.get("messaging.batch.message_count", 0) >= 1
               for s in linked if s.name.startswith("process "))
    assert not [s for s in finished if s.name.endswith((" send", " receive", " process"))], \
        "no span per Kafka record"
    claim_spans = [s for s in finished if (s.attributes or {}).get(CLAIM_ID) == claim_id]
    assert all(s.attributes.get("tenant.id") == "trace-practice" for s in claim_spans)

    phi = [encounter["patient"]["last_name"], encounter["patient"]["first_name"],
           encounter["patient"]["date_of_birth"], encounter["coverages"][0]["member_id"],
           encounter["patient"]["address"]["line1"]]
    for span in [*in_trace, *linked]:
        text = " ".join([span.name, *(str(v) for v in (span.attributes or {}).values())]
                        + [str(v) for link in span.links for v in (link.attributes or {}).values()]
                        + [str(v) for event in span.events for v in (event.attributes or {}).values()])
        leaked = [value for value in phi if value in text]
        assert not leaked, f"span {span.name} carries PHI"
