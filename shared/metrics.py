"""OpenTelemetry metrics for a service process, exposed for Prometheus scraping at GET /metrics.

Instruments are created at import time through the global meter, which binds to the provider
once `configure_metrics` runs. Labels carry ids and vocabularies (service, consumer group, topic,
stage, status, tenant id), never PHI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fastapi import APIRouter
from fastapi.responses import Response
from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import Histogram, MeterProvider
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource

meter = metrics.get_meter("claimline")
router = APIRouter(tags=["health"])
_gauges: dict[str, list[Callable[[], Iterable[tuple[float, dict[str, str]]]]]] = {}


def configure_metrics(service: str) -> MeterProvider:
    """Install the global meter provider once per process, read by the Prometheus exporter."""
    current = metrics.get_meter_provider()
    if isinstance(current, MeterProvider):
        return current
    from opentelemetry.exporter.prometheus import PrometheusMetricReader

    # Durations are recorded in seconds: the default buckets (made for milliseconds) would put
    # every claim stage in the first few.
    seconds = View(instrument_type=Histogram, instrument_unit="s", aggregation=ExplicitBucketHistogramAggregation(
        (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400, 604800, 2592000)))
    provider = MeterProvider(resource=Resource.create({"service.name": service}),
                             metric_readers=[PrometheusMetricReader()], views=[seconds])
    metrics.set_meter_provider(provider)
    return provider


def observe(name: str, description: str, unit: str,
            read: Callable[[], Iterable[tuple[float, dict[str, str]]]]) -> None:
    """Add a reader to the observable gauge `name`; every live reader reports at each scrape.

    Several objects (each consumer group, each relay) share one gauge, so readers are collected
    per name and the gauge is created once.
    """
    if name not in _gauges:
        readers = _gauges[name] = []

        def callback(_options: CallbackOptions) -> Iterable[Observation]:
            return [Observation(value, labels) for reader in list(readers) for value, labels in reader()]

        meter.create_observable_gauge(name, callbacks=[callback], unit=unit, description=description)
    _gauges[name].append(read)


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    """Prometheus text exposition of this process's metrics."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
