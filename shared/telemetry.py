"""OpenTelemetry wiring for a service process: tracer provider, exporters and instrumentations.

Spans carry claim and tenant ids (see `claim_span_attributes`), never PHI: the SQLAlchemy
instrumentation records parameterised statements only, and request bodies are never recorded.
"""

from __future__ import annotations

import os

from opentelemetry import trace
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

CLAIM_ID = "claim.id"
TENANT_ID = "tenant.id"
PAYER_ID = "payer.id"
STAGE = "claim.stage"  # the service working the claim: intake, coding, submission, remittance, denials


def configure_tracing(service: str, extra_processor: SpanProcessor | None = None) -> TracerProvider:
    """Install the global tracer provider once per process; OTLP export when the endpoint is set."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        if extra_processor is not None:
            current.add_span_processor(extra_processor)
        _instrument(current)  # a test may have uninstrumented the libraries since the provider was set
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if extra_processor is not None:
        provider.add_span_processor(extra_processor)
    trace.set_tracer_provider(provider)
    _instrument(provider)
    return provider


def _instrument(provider: TracerProvider) -> None:
    """Propagate the trace through Kafka and outgoing HTTP calls (once per process)."""
    for instrumentor in (AIOKafkaInstrumentor(), HTTPXClientInstrumentor()):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=provider)


def claim_span_attributes(claim_id: object, tenant_id: str | None, payer_id: str | None = None,
                          stage: str | None = None) -> dict[str, str]:
    """The identifying attributes every claim span carries (ids and the stage only, never PHI)."""
    attributes = {CLAIM_ID: str(claim_id)}
    if tenant_id:
        attributes[TENANT_ID] = tenant_id
    if payer_id:
        attributes[PAYER_ID] = payer_id
    if stage:
        attributes[STAGE] = stage
    return attributes


def payer_of(event_data: object) -> str | None:
    """The payer an event is about, when its data names one (claim.submitted, claim.received, ...)."""
    if not isinstance(event_data, dict):
        return None
    if isinstance(event_data.get("payer_id"), str):
        return event_data["payer_id"]
    encounter = event_data.get("encounter")
    coverages = encounter.get("coverages") if isinstance(encounter, dict) else None
    for coverage in coverages if isinstance(coverages, list) else []:
        if isinstance(coverage, dict) and coverage.get("priority") == "primary":
            payer = coverage.get("payer")
            return payer.get("payer_id") if isinstance(payer, dict) else None
    return None


def current_traceparent() -> str | None:
    """W3C traceparent of the active span, for storing beside an outbox row."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{int(span_context.trace_flags):02x}"


def current_trace_id() -> str | None:
    """Hex trace id of the active span, shown to ops teams beside each event."""
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None
