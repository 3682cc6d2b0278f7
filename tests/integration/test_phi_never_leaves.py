"""PHI stays in the database: an end-to-end run's spans, log lines and metric labels never carry it.

Two claims with distinctive patient values (one paid, one denied) travel every service in this
process; then every exported span, every formatted log record and the whole Prometheus exposition
are searched for each value the practice sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY, generate_latest

from services.intake.adapters.tenant_admin import ensure_tenant_key
from shared.structured_logging import JsonFormatter
from shared.telemetry import configure_tracing
from shared.tenancy import new_api_key
from tests.integration.test_trace_continuity import wait_for_status
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment
from tests.support.inprocess import in_process_stack
from tests.support.payees import register_new_payee, remittance_routes

NOTE_PHRASE = "zebrafinch postcard brought by Mrs Quillfeather"  # no finding: coding has nothing to add


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter("phi-scan"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    configure_tracing("claimline-tests", extra_exporter=exporter)
    yield exporter
    HTTPXClientInstrumentor().uninstrument()


def patient(payer: str, tag: str) -> tuple[dict, list[str]]:
    """An encounter whose PHI values occur nowhere else, and those values in every form they travel in."""
    encounter = encounter_for(payer)
    encounter["patient"].update(first_name=f"Ottoline{tag}", last_name=f"Quillfeather{tag}",
                                date_of_birth="1951-07-23")
    encounter["patient"]["address"].update(line1=f"77{tag} Marigold Causeway", city="Wickhamford")
    encounter["coverages"][0]["member_id"] = f"ZQM{tag}88123"
    encounter["clinical_note"] = f"{encounter.get('clinical_note') or ''} {NOTE_PHRASE}."
    values = [f"Ottoline{tag}", f"Quillfeather{tag}", "1951-07-23", "19510723", f"77{tag} Marigold Causeway",
              "Wickhamford", f"ZQM{tag}88123", NOTE_PHRASE, "zebrafinch"]
    return encounter, values


async def test_spans_logs_and_metrics_carry_no_phi(isolated: IsolatedEnvironment,
                                                   spans: InMemorySpanExporter) -> None:
    key_id, key = new_api_key()
    await ensure_tenant_key(isolated.database_url, "phi-practice", key_id, key)
    npi, provider = await register_new_payee(isolated.database_url, "phi-practice")  # its 835s come back to it
    captured = Captured()
    root = logging.getLogger()
    phi: list[str] = []
    async with in_process_stack(isolated) as stack, httpx.AsyncClient(
            headers={"Authorization": f"Bearer {key}"}, timeout=10) as client:
        # Each service's configure_logging replaced the root handlers while starting: listen from now.
        previous_level = root.level
        root.addHandler(captured)
        root.setLevel(logging.DEBUG)
        try:
            await remittance_routes(isolated.database_url, npi, "phi-practice")
            claims = {}
            for payer, tag, end in (("SIMPAY", "A", "paid"), ("SIMDNY", "B", "denied")):
                encounter, values = patient(payer, tag)
                encounter["billing_provider"] = provider
                phi += values
                response = await client.post(stack.urls["intake"] + "/v1/encounters", json=encounter)
                assert response.status_code == 202, response.text
                claims[response.json()["claim_id"]] = end
            # A request refused for its content must not echo it either.
            bad, _ = patient("SIMPAY", "C")
            bad["patient"]["date_of_birth"] = "not-a-date Quillfeather"
            refused = await client.post(stack.urls["intake"] + "/v1/encounters", json=bad)
            assert refused.status_code == 422
            assert "Quillfeather" not in refused.text
            for claim_id, end in claims.items():
                status = await wait_for_status(client, f"{stack.urls['intake']}/v1/claims/{claim_id}", end)
                assert status == end
            await asyncio.sleep(1)  # let the last consumers and webhooks log what they do
            metrics_text = generate_latest(REGISTRY).decode()
        finally:
            root.removeHandler(captured)
            root.setLevel(previous_level)

    finished = spans.get_finished_spans()
    assert len(finished) > 50 and len(captured.lines) > 10, "the scan saw the run"
    span_texts = [" ".join([span.name, *(f"{k}={v}" for k, v in (span.attributes or {}).items()),
                            *(f"{k}={v}" for e in span.events for k, v in (e.attributes or {}).items()),
                            span.status.description or ""]) for span in finished]
    for value in phi:
        assert not [t[:200] for t in span_texts if value in t], f"a span carries {value!r}"
        assert not [line[:200] for line in captured.lines if value in line], f"a log line carries {value!r}"
        assert value not in metrics_text, f"a metric label carries {value!r}"
