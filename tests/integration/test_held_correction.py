"""A re-coding that reaches submission while the claim's version awaits its 277CA is held, then billed as a
replacement (accepted) or a new original (rejected) when that answer is recorded: real PostgreSQL, the
service's handlers called as its consumer calls them."""

from __future__ import annotations

import uuid

import pytest

from services.submission.adapters.claim_versions import ClaimVersionStore
from services.submission.adapters.repository import SubmissionStore
from services.submission.adapters.tables import messaging
from services.submission.service_layer.coded_claims import CodedClaims, HeldCorrections
from shared.contracts.encounter import Encounter
from shared.db import create_engine, session_factory, unit_of_work
from shared.events.claim_events import ClaimAccepted, ClaimCoded, ClaimRejected, CodeDecision
from shared.messaging.outbox import envelope_for
from tests.support.consumer_batches import apply_batch, deliveries_of
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment

TENANT = "t-held-correction"


def _coded(encounter: Encounter) -> ClaimCoded:
    return ClaimCoded(encounter=encounter, diagnoses=[CodeDecision(code=c, source="pms") for c in encounter.diagnoses],
                      procedures=[CodeDecision(code=line.procedure_code, source="pms")
                                  for line in encounter.service_lines])


@pytest.mark.parametrize(("answer", "expected"), [("accepted", ("7", "PCCN-HELD-1")), ("rejected", ("1", None))])
async def test_held_recoding_is_billed_after_the_answer(isolated: IsolatedEnvironment, answer: str,
                                                        expected: tuple[str, str | None]) -> None:
    sessions = session_factory(create_engine(isolated.database_url, instrument=False))
    claim_id = str(uuid.uuid4())
    first = Encounter.model_validate(encounter_for("SIMPAY"))
    corrected = first.model_copy(update={"prior_authorization": "AUTH55"})

    def envelope(event: object):
        return envelope_for(event, source="test", claim_id=claim_id, tenant_id=TENANT)  # type: ignore[arg-type]

    await apply_batch(sessions, messaging, CodedClaims(), deliveries_of([envelope(_coded(first))]))
    # version 1 is still pending: the change must wait
    await apply_batch(sessions, messaging, CodedClaims(), deliveries_of([envelope(_coded(corrected))]))
    async with sessions() as session:
        versions = await ClaimVersionStore(session).versions(claim_id)
        claim = await ClaimVersionStore(session).lock_billing_claim(claim_id, lock=False)
    assert [v["frequency_code"] for v in versions] == ["1"] and claim and claim["correction_pending"]

    async with unit_of_work(sessions) as session:  # what the 277CA handler records, then its event arrives
        store = SubmissionStore(session)
        if answer == "accepted":
            await store.update_submission(versions[0]["submission_id"], status="accepted",
                                          payer_claim_control_number="PCCN-HELD-1")
            event: ClaimAccepted | ClaimRejected = ClaimAccepted(
                submission_id=versions[0]["submission_id"], payer_claim_control_number="PCCN-HELD-1",
                status_category="A2", status_code="20")
        else:
            await store.update_submission(versions[0]["submission_id"], status="rejected")
            event = ClaimRejected(submission_id=versions[0]["submission_id"], stage="277CA", status_category="A3",
                                  status_code="21", reason="277CA A3:21")
    await apply_batch(sessions, messaging, HeldCorrections(), deliveries_of([envelope(event)]))
    # a redelivery of the answer changes nothing more
    await apply_batch(sessions, messaging, HeldCorrections(), deliveries_of([envelope(event)]))
    async with sessions() as session:
        versions = await ClaimVersionStore(session).versions(claim_id)
        claim = await ClaimVersionStore(session).lock_billing_claim(claim_id, lock=False)
    assert [(v["claim_version"], v["frequency_code"]) for v in versions] == [(1, "1"), (2, expected[0])]
    assert versions[1]["corrects_payer_claim_control_number"] == expected[1]
    assert "REF*G1*AUTH55" in versions[1]["x12"]
    assert claim and not claim["correction_pending"]
