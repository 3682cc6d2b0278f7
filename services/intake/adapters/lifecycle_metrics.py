"""Pipeline metrics intake can see because it projects every service's claim events.

Recorded while the event is applied, so a consumer batch that rolls back and is retried may count
its events twice; Prometheus rates over these counters tolerate that. Labels are vocabularies and
tenant ids, never PHI.
"""

from __future__ import annotations

import datetime as dt

from opentelemetry.metrics import Histogram

from services.intake.domain.outbound_webhooks import StatusChange
from shared.events.envelope import EventEnvelope
from shared.metrics import meter

# The stage a status change completes, for the received -> ... latency histogram.
STAGE_BY_STATUS = {"coded": "coded", "submitted": "submitted", "resubmitted": "submitted",
                   "accepted": "accepted", "paid": "posted", "partially_paid": "posted", "denied": "posted"}

stage_latency: Histogram = meter.create_histogram(
    "claimline.claim.stage_latency", unit="s",
    description="Time from the encounter's acceptance to the claim reaching each stage")
acknowledgements = meter.create_counter(
    "claimline.claim.acknowledgements", unit="{claim}",
    description="Clearinghouse (999) and payer (277CA) verdicts on submitted claims, by stage and result")
remittances = meter.create_counter(
    "claimline.claim.remittances", unit="{claim}",
    description="835 claim payments posted, by claim status (denied / all = the denial rate)")
status_changes = meter.create_counter(
    "claimline.claim.status_changes", unit="{claim}", description="Claims entering each status")


def record_lifecycle_event(envelope: EventEnvelope, change: StatusChange | None,
                           received_at: dt.datetime | None) -> None:
    """Count the event's outcome and, when it completed a stage, how long the claim took to get there."""
    tenant = {"tenant_id": envelope.tenant_id}
    if envelope.type == "claim.accepted":
        acknowledgements.add(1, {**tenant, "stage": "277CA", "result": "accepted"})
    elif envelope.type == "claim.rejected":
        acknowledgements.add(1, {**tenant, "stage": str(envelope.data.get("stage")), "result": "rejected"})
    elif envelope.type == "claim.remittance_posted":
        remittances.add(1, {**tenant, "claim_status": str(envelope.data.get("claim_status"))})
    if change is None:
        return
    status_changes.add(1, {**tenant, "status": change.status})
    stage = STAGE_BY_STATUS.get(change.status)
    if stage and received_at is not None:
        stage_latency.record(max((change.occurred_at - received_at).total_seconds(), 0.0), {"stage": stage})
