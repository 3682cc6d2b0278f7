"""The console's summary of a service from its readiness answer and Prometheus text."""

from __future__ import annotations

import pytest

from services.console.domain.pipeline_health import claims_by_status, service_health

METRICS = """# HELP claimline_consumer_lag Messages behind
# TYPE claimline_consumer_lag gauge
claimline_consumer_lag{consumer_group="coding.claims",partition="0",topic="claims.intake.events"} 3.0
claimline_consumer_lag{consumer_group="coding.claims",partition="1",topic="claims.intake.events"} 4.0
# TYPE claimline_outbox_backlog gauge
claimline_outbox_backlog{schema="coding"} 2.0
# TYPE claimline_consumer_events_total counter
claimline_consumer_events_total{consumer_group="coding.claims",outcome="applied"} 40.0
claimline_consumer_events_total{consumer_group="coding.claims",outcome="dead_lettered",topic="t"} 5.0
# TYPE claimline_claims gauge
claimline_claims{status="paid",tenant_id="a"} 2.0
claimline_claims{status="paid",tenant_id="b"} 3.0
claimline_claims{status="denied",tenant_id="a"} 1.0
"""
READY = {"status": "ready", "checks": {"database": "ok", "consumers": "ok"}}


def test_sums_lag_backlog_and_dead_letters() -> None:
    health = service_health("coding", READY, METRICS)
    assert (health.consumer_lag, health.outbox_backlog, health.dead_lettered) == (7.0, 2.0, 5.0)
    assert health.state == "ok"


@pytest.mark.parametrize(("readiness", "metrics", "state"), [
    (None, None, "down"),
    ({"status": "not ready", "checks": {"database": "unavailable: OSError"}}, METRICS, "degraded"),
    (READY, METRICS.replace("} 3.0", "} 3000.0"), "lagging"),
    (READY, None, "ok"),
])
def test_state(readiness, metrics, state) -> None:
    assert service_health("coding", readiness, metrics).state == state


def test_claims_by_status_adds_up_tenants() -> None:
    assert claims_by_status(METRICS) == {"paid": 5.0, "denied": 1.0}
    assert claims_by_status(None) == {}
