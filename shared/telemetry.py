"""OpenTelemetry wiring for a service process: tracer provider, exporters and instrumentations.

What a claim costs in spans: one per HTTP request and one per consumed batch (with a link to every
claim's trace context in it: shared/messaging/consumer.py), one per relay batch; no span per Kafka
record (trace context travels in the `traceparent` header the relay writes and the consumer reads) and
none per SQL statement unless `TRACE_SQL_STATEMENTS` asks. Sampling is the SDK's, configured by the
standard variables: `OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1` keeps a
tenth of the traces whole (default: parent-based, always on).

Spans carry claim and tenant ids (see `claim_span_attributes`), never PHI: statements are recorded
parameterised, request bodies never, and every exporter is wrapped so an exception's message (which a
driver may fill with statement parameters) leaves the process as its type only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Status

CLAIM_ID = "claim.id"
TENANT_ID = "tenant.id"
PAYER_ID = "payer.id"
STAGE = "claim.stage"  # the service working the claim: intake, coding, submission, remittance, denials


# A consumed batch links to every claim in it (batches are up to 500 records by default).
MAX_LINKS_PER_SPAN = 2000
EXCEPTION_DETAIL_ATTRIBUTES = ("exception.message", "exception.stacktrace")


def configure_tracing(service: str, extra_exporter: SpanExporter | None = None) -> TracerProvider:
    """Install the global tracer provider once per process; OTLP export when the endpoint is set.

    `extra_exporter` (tests: an in-memory exporter) gets spans as they end, PHI-safe like every exporter."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        if extra_exporter is not None:
            current.add_span_processor(SimpleSpanProcessor(PhiSafeExporter(extra_exporter)))
        _instrument(current)  # a test may have uninstrumented the libraries since the provider was set
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": service}),
                              span_limits=SpanLimits(max_links=MAX_LINKS_PER_SPAN))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(PhiSafeExporter(OTLPSpanExporter())))
    if extra_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(PhiSafeExporter(extra_exporter)))
    trace.set_tracer_provider(provider)
    _instrument(provider)
    return provider


def _instrument(provider: TracerProvider) -> None:
    """Propagate the trace through outgoing HTTP calls (once per process). Kafka is not instrumented: the
    relay writes each row's traceparent header and consumers read it, with no span per record."""
    instrumentor = HTTPXClientInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)


class PhiSafeExporter(SpanExporter):
    """Exports spans with exception messages and stack traces removed and error descriptions cut to nothing:
    a database error's message can carry statement parameters, and those can be PHI. The type stays."""

    def __init__(self, exporter: SpanExporter):
        self.exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.exporter.export([_without_exception_details(span) for span in spans])

    def shutdown(self) -> None:
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.exporter.force_flush(timeout_millis)


def _without_exception_details(span: ReadableSpan) -> ReadableSpan:
    exceptional = any(any(key in (event.attributes or {}) for key in EXCEPTION_DETAIL_ATTRIBUTES)
                      for event in span.events)
    if not exceptional and not span.status.description:
        return span
    events = [Event(event.name, {k: v for k, v in (event.attributes or {}).items()
                                 if k not in EXCEPTION_DETAIL_ATTRIBUTES}, event.timestamp)
              for event in span.events]
    return ReadableSpan(name=span.name, context=span.context, parent=span.parent, resource=span.resource,
                        attributes=span.attributes, events=events, links=span.links, kind=span.kind,
                        status=Status(span.status.status_code), start_time=span.start_time,
                        end_time=span.end_time, instrumentation_scope=span.instrumentation_scope)


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
