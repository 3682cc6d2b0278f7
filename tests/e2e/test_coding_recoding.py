"""Re-coding through the running stack: a corrected encounter is coded again, and a denial routed to
coding reopens the claim in the review queue until a coder resolves it; each event is applied once.

The events come onto the broker as intake and denials would publish them (those stages' own
triggers are their services' business); coding's answers are read through its API and the timeline.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from shared.contracts.encounter import Encounter
from shared.events.denial_events import ClaimCorrectionRequested
from shared.events.intake_events import ClaimEncounterCorrected
from shared.events.registry import ClaimEvent
from shared.messaging.outbox import envelope_for
from shared.messaging.topics import events_topic
from tests.e2e.polling import eventually
from tests.support.coding_review import coding_of, coding_reaching, decide, reviews_url, timeline_counting
from tests.support.encounters import CODED_DATE_OF_SERVICE, encounter_for
from tests.support.kafka import produce

pytestmark = pytest.mark.e2e

DATE = CODED_DATE_OF_SERVICE  # a week ago: the ICD-10-CM release of today covers it


async def coded_claim(api: httpx.AsyncClient, stack: dict[str, str], **changes: Any) -> tuple[str, dict[str, Any]]:
    encounter = encounter_for("SIMPAY", **{"date_of_service": DATE, "clinical_note": None, **changes})
    response = await api.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter)
    assert response.status_code == 202, response.text
    return response.json()["claim_id"], encounter


async def publish(stack: dict[str, str], database: asyncpg.Pool, claim_id: str, service: str,
                  *events: ClaimEvent, ids: list[str] | None = None) -> None:
    """Publish events on a service's topic as that service would (ids: reuse envelope ids, for redelivery)."""
    tenant_id = await eventually(
        lambda: database.fetchval("SELECT tenant_id FROM coding.coded_claims WHERE claim_id = $1", claim_id),
        lambda found: found is not None, f"coding to know claim {claim_id}")
    envelopes = [envelope_for(event, source=service, claim_id=claim_id, tenant_id=tenant_id) for event in events]
    for index, envelope_id in enumerate(ids or []):
        object.__setattr__(envelopes[index], "id", envelope_id)
    await produce(stack["KAFKA_BOOTSTRAP"], events_topic(service),
                  [(e.kafka_key(), e.kafka_headers(), e.kafka_value()) for e in envelopes])


def correction(reason: str, route: str = "coding") -> ClaimCorrectionRequested:
    return ClaimCorrectionRequested(denial_id="den-1", route=route, reason=reason, reason_codes=["CO-11"])


async def test_a_corrected_encounter_is_coded_again(api, stack, database):
    claim_id, encounter = await coded_claim(api, stack)
    await coding_reaching(api, stack, claim_id, "coded")
    corrected = Encounter.model_validate({**encounter, "diagnoses": ["E11.9", "I10"]})
    await publish(stack, database, claim_id, "intake",
                  ClaimEncounterCorrected(encounter=corrected, reason="diagnosis corrected by the practice"))
    coding = await coding_reaching(api, stack, claim_id, "coded", coding_round=2)
    assert [d["code"] for d in coding["diagnoses"]] == ["E11.9", "I10"]
    await timeline_counting(api, stack, claim_id, {"claim.encounter_corrected": 1, "claim.coded": 2})


async def test_a_corrected_encounter_supersedes_an_open_review(api, stack, database):
    claim_id, encounter = await coded_claim(api, stack, clinical_note="   ")
    first = await coding_reaching(api, stack, claim_id, "coding_review")
    corrected = Encounter.model_validate({**encounter, "clinical_note": None})
    await publish(stack, database, claim_id, "intake", ClaimEncounterCorrected(encounter=corrected, reason="note"))
    coding = await coding_reaching(api, stack, claim_id, "coded", coding_round=2)
    assert coding["review"]["status"] == "superseded"
    old = (await api.get(reviews_url(stack, first["review"]["review_id"]))).json()
    assert (old["status"], old["closed_by"]) == ("superseded", "encounter_corrected")


async def test_a_denial_routed_to_coding_reopens_the_claim_until_a_coder_resolves_it(api, stack, database):
    claim_id, _ = await coded_claim(api, stack)
    await coding_reaching(api, stack, claim_id, "coded")
    await publish(stack, database, claim_id, "denials", correction("demographics", route="intake"),
                  correction("procedure code inconsistent with the modifier"))
    coding = await coding_reaching(api, stack, claim_id, "coding_review")
    review = coding["review"]
    assert review["trigger"] == "denial" and len(review["reasons"]) == 1  # the intake route is not coding's
    assert review["reasons"][0].startswith("COD-DENIAL: the payer's denial sent the codes back: procedure code")

    review_id = review["review_id"]
    assert (await api.post(reviews_url(stack, review_id, "assignment"))).status_code == 200
    decisions = [{"action": "accept", "kind": "diagnosis", "code": "E11.65"},
                 {"action": "accept", "kind": "diagnosis", "code": "I10"},
                 {"action": "override", "kind": "procedure", "line_number": 1, "modifiers": []},
                 {"action": "accept", "kind": "procedure", "line_number": 2}]
    for decision in decisions:
        answer = await decide(api, stack, review_id, reason="modifier 25 not supported", **decision)
        assert answer.status_code == 200, answer.text
    resolved = await api.post(reviews_url(stack, review_id, "resolution"), json={})
    assert resolved.status_code == 200, resolved.text

    coding = await coding_reaching(api, stack, claim_id, "coded", coding_round=2)
    assert coding["procedures"][0]["modifiers"] == [] and coding["procedures"][0]["source"] == "coder"
    await timeline_counting(api, stack, claim_id, {"claim.coded": 2, "claim.coding_decision_recorded": 4,
                                                   "claim.coding_review_assigned": 1})


async def test_a_redelivered_denial_is_applied_once(api, stack, database):
    claim_id, _ = await coded_claim(api, stack)
    await coding_reaching(api, stack, claim_id, "coded")
    first, again, second = correction("first reason"), correction("first reason"), correction("second reason")
    await publish(stack, database, claim_id, "denials", first, again, second,
                  ids=["0d5f6a53-0000-4000-8000-" + claim_id[-12:]] * 2)
    reasons = await eventually(lambda: coding_of(api, stack, claim_id),
                               lambda c: c["review"] is not None and len(c["review"]["reasons"]) >= 2,
                               "both distinct denials on the review")
    assert [r.split(": ", 2)[-1] for r in reasons["review"]["reasons"]] == ["first reason (CO-11)",
                                                                             "second reason (CO-11)"]
