"""Secondary billing through the running stack: once the primary paid, claim.secondary_billing_ready bills the
secondary coverage as a new version (frequency 1, SBR*S, the primary's adjudication in 2320/2330B/2430).

The event is remittance's to emit; until its emitter is on this branch, the test publishes it the way
remittance would (a CloudEvents envelope on the remittance topic). A second copy of the event, or the
emitter's own, is absorbed: the secondary is billed once per claim.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shared.events.envelope import EventEnvelope
from shared.events.remittance_events import AdjudicatedAdjustment, AdjudicatedLine, ClaimSecondaryBillingReady
from shared.messaging.outbox import envelope_for
from shared.messaging.topics import events_topic
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.e2e.test_corrected_claims import version_reaching, versions
from tests.e2e.x12_documents import pyx12_errors, segments
from tests.support.encounters import encounter_for
from tests.support.kafka import produce

pytestmark = pytest.mark.e2e
PAID = {"paid", "partially_paid"}


def _with_secondary(document: dict[str, Any]) -> dict[str, Any]:
    document["coverages"].append({
        "priority": "secondary", "payer": {"payer_id": "SIMSEC", "name": "Simulated Secondary"},
        "member_id": "SEC778899", "group_number": "G55", "claim_filing_indicator": "CI", "relationship": "spouse",
        "subscriber": {"first_name": "Carlos", "last_name": "Lopez", "date_of_birth": "1980-06-01", "sex": "M",
                       "address": document["patient"]["address"]}})
    return document


def _primary_paid(pcn: str, primary_number: str) -> ClaimSecondaryBillingReady:
    """The primary's adjudication of the example's lines (185.00, 42.00), balanced line by line."""
    def line(number: int, paid: str, contractual: str, patient: tuple[str, str]) -> AdjudicatedLine:
        return AdjudicatedLine(line_control_number=f"{pcn}-1-{number}", paid=Decimal(paid), adjustments=[
            AdjudicatedAdjustment(group_code="CO", reason_code="45", amount=Decimal(contractual)),
            AdjudicatedAdjustment(group_code="PR", reason_code=patient[0], amount=Decimal(patient[1]))])

    return ClaimSecondaryBillingReady(
        era_id="e2e-secondary", prior_payer_id="SIMPAY", prior_payer_name="SIMULATED PAYING PAYER",
        prior_payer_claim_control_number=primary_number, adjudication_date=dt.date.today(),
        paid_total=Decimal("143.60"), claim_adjustments=[],
        lines=[line(1, "123.00", "37.00", ("3", "25.00")), line(2, "20.60", "8.40", ("2", "13.00"))],
        next_payer_priority="secondary")


async def _publish(stack: dict[str, str], envelope: EventEnvelope) -> None:
    await produce(stack["KAFKA_BOOTSTRAP"], events_topic("remittance"),
                  [(envelope.kafka_key(), envelope.kafka_headers(), envelope.kafka_value())])


async def test_paid_primary_bills_the_secondary_once(api, stack, database):
    response = await post_encounter(api, stack, _with_secondary(encounter_for("SIMPAY")))
    assert response.status_code == 202, response.text
    claim_id = response.json()["claim_id"]
    await claim_reaching(api, stack, claim_id, PAID)
    primary = await version_reaching(api, stack, claim_id, 1, {"accepted"})
    pcn = claim_id.replace("-", "")[:20].upper()
    event = envelope_for(_primary_paid(pcn, primary["payer_claim_control_number"]), source="remittance",
                         claim_id=claim_id, tenant_id="dev-practice")
    await _publish(stack, event)

    secondary = await version_reaching(api, stack, claim_id, 2, {"accepted"})
    assert (secondary["payer_id"], secondary["frequency_code"], secondary["payer_responsibility"]) == (
        "SIMSEC", "1", "secondary")
    # Remittance's own emitter (from the simulator's real 835) or the event published above, whichever came first.
    prior = secondary["prior_payer"]
    assert secondary["trigger"] == "secondary_billing" and prior["payer_id"] == "SIMPAY"
    x12 = secondary["x12"]
    assert pyx12_errors(x12) == []
    rows = segments(x12)
    assert [s[1] for s in rows if s[0] == "SBR"] == ["S", "P"]
    amount_paid = next(s for s in rows if s[:2] == ["AMT", "D"])
    assert Decimal(amount_paid[2]) == Decimal(prior["paid_total"])
    assert [(s[1], Decimal(s[2])) for s in rows if s[0] == "SVD"] == [
        ("SIMPAY", Decimal(line["paid"])) for line in prior["lines"]]
    assert [s[2] for s in rows if s[:2] == ["REF", "6R"]] == [f"{pcn}-2-1", f"{pcn}-2-2"]
    assert ["REF", "F8", primary["payer_claim_control_number"]] in rows  # 2330B: the primary's claim number

    # The same news again (a redelivered ERA, or remittance's own emitter) bills nobody a second time.
    again = envelope_for(_primary_paid(pcn, primary["payer_claim_control_number"]), source="remittance",
                         claim_id=claim_id, tenant_id="dev-practice")
    await _publish(stack, again)
    await eventually(lambda: database.fetchval("SELECT count(*) FROM submission.inbox WHERE event_id = $1", again.id),
                     lambda seen: seen == 1, "submission to apply the repeated event")
    history = await versions(api, stack, claim_id)
    assert [v["payer_responsibility"] for v in history] == ["primary", "secondary"]
