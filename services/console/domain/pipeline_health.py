"""What the console shows about each service, read from its /readyz answer and its Prometheus metrics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class ServiceHealth:
    """One service's state at a glance."""

    name: str
    ready: bool
    checks: dict[str, str] = field(default_factory=dict)
    consumer_lag: float | None = None  # messages behind, summed over its groups and partitions
    outbox_backlog: float | None = None
    dead_lettered: float | None = None  # events this process dead-lettered since it started

    @property
    def state(self) -> str:
        if not self.ready:
            return "down" if not self.checks else "degraded"
        return "lagging" if (self.consumer_lag or 0) > 1000 or (self.outbox_backlog or 0) > 1000 else "ok"


def _samples(metrics_text: str) -> Iterable[tuple[str, dict[str, str], float]]:
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            yield sample.name, sample.labels, sample.value


def service_health(name: str, readiness: dict | None, metrics_text: str | None) -> ServiceHealth:
    """Summarise a service; readiness None means it did not answer."""
    if readiness is None:
        return ServiceHealth(name, ready=False)
    lag = backlog = dead = None
    if metrics_text:
        lag = backlog = dead = 0.0
        for sample_name, labels, value in _samples(metrics_text):
            if sample_name == "claimline_consumer_lag":
                lag += value
            elif sample_name == "claimline_outbox_backlog":
                backlog += value
            elif sample_name == "claimline_consumer_events_total" and labels.get("outcome") == "dead_lettered":
                dead += value
    return ServiceHealth(name, ready=readiness.get("status") == "ready", checks=dict(readiness.get("checks", {})),
                         consumer_lag=lag, outbox_backlog=backlog, dead_lettered=dead)


def claims_by_status(metrics_text: str | None) -> dict[str, float]:
    """Claims per status over every tenant, from intake's claimline_claims gauge."""
    counts: dict[str, float] = {}
    for sample_name, labels, value in _samples(metrics_text or ""):
        if sample_name == "claimline_claims":
            counts[labels["status"]] = counts.get(labels["status"], 0) + value
    return counts


@dataclass(frozen=True)
class Icd10CmCoverage:
    """Whether the loaded ICD-10-CM releases cover today, from coding's metrics."""

    latest_release: str | None = None
    effective_through: str | None = None
    days_left: float | None = None  # negative: no release covers today
    assumed_claims: dict[str, float] = field(default_factory=dict)  # release -> claims coded on it by assumption
    held_claims: float = 0.0  # of those, held for a coder

    @property
    def state(self) -> str:
        if self.days_left is None:
            return "unknown"
        if self.days_left < 0 or self.assumed_claims:
            return "assumed"
        return "ending" if self.days_left <= 30 else "ok"


def icd10cm_coverage(coding_metrics: str | None) -> Icd10CmCoverage:
    """The latest release and its days left, and the claims coded on an assumed release since coding started."""
    latest = through = None
    days_left = None
    assumed: dict[str, float] = {}
    held = 0.0
    for sample_name, labels, value in _samples(coding_metrics or ""):
        if sample_name == "claimline_coding_icd10cm_latest_release_days_left":
            latest, through, days_left = labels.get("release"), labels.get("effective_through"), value
        elif sample_name == "claimline_coding_icd10cm_release_assumed_total" and value:
            release = labels.get("release", "?")
            assumed[release] = assumed.get(release, 0) + value
            held += value if labels.get("held") == "true" else 0
    return Icd10CmCoverage(latest, through, days_left, assumed, held)
