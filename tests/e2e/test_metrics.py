"""Every service exposes its OpenTelemetry metrics for Prometheus; the pipeline's figures move with claims."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import claim_reaching, post_encounter
from tests.support.encounters import encounter_for

pytestmark = pytest.mark.e2e
SERVICES = ["INTAKE_URL", "CODING_URL", "SUBMISSION_URL", "REMITTANCE_URL", "DENIALS_URL"]


async def scrape(client: httpx.AsyncClient, base_url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """metric sample name -> [(labels, value)] from a service's /metrics."""
    response = await client.get(f"{base_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def total(samples, name: str, **labels: str) -> float:
    return sum(value for sample_labels, value in samples.get(name, [])
               if all(sample_labels.get(k) == v for k, v in labels.items()))


async def test_pipeline_metrics_follow_a_paid_and_a_denied_claim(api: httpx.AsyncClient, anonymous, stack) -> None:
    before = await scrape(anonymous, stack["INTAKE_URL"])
    claim_ids = {}
    for payer in ("SIMPAY", "SIMDNY"):
        response = await post_encounter(api, stack, encounter_for(payer))
        assert response.status_code == 202, response.text
        claim_ids[payer] = response.json()["claim_id"]
    await claim_reaching(api, stack, claim_ids["SIMPAY"], {"paid", "partially_paid"})
    await claim_reaching(api, stack, claim_ids["SIMDNY"], {"denied"})

    after = await scrape(anonymous, stack["INTAKE_URL"])
    for stage in ("coded", "submitted", "accepted", "posted"):
        grew = (total(after, "claimline_claim_stage_latency_seconds_count", stage=stage)
                - total(before, "claimline_claim_stage_latency_seconds_count", stage=stage))
        assert grew >= 2, f"stage {stage} latency recorded {grew} times"
    denied = (total(after, "claimline_claim_remittances_total", claim_status="denied")
              - total(before, "claimline_claim_remittances_total", claim_status="denied"))
    assert denied >= 1
    accepted = (total(after, "claimline_claim_acknowledgements_total", result="accepted")
                - total(before, "claimline_claim_acknowledgements_total", result="accepted"))
    assert accepted >= 2
    assert "claimline_claims" in after  # the per-status gauge (refreshed on a timer)

    for url in SERVICES:
        samples = await scrape(anonymous, stack[url])
        lags = samples.get("claimline_consumer_lag", [])
        assert lags, f"{url} reports no consumer lag"
        assert all(value >= 0 for _, value in lags)
        assert {"consumer_group", "topic", "partition"} <= set(lags[0][0])
        assert "claimline_outbox_backlog" in samples
        assert total(samples, "claimline_consumer_events_total", outcome="applied") > 0
