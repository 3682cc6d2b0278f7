"""claim.received (which carries the secondary coverage) applied by remittance AFTER the primary's 835 was
posted still makes the claim ready for the secondary, exactly once; also when the two run at the same time.

The primary's 835 is X12's published managed-care example (TR3 005010X221A1 section 3) renamed to a fresh
claim: its BPR16 is unreadable, so the ERA keeps a warning and the adjudication date is its DTM*405.
Events come through remittance's real consumers on Kafka; the 835 through the webhook's use case.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from services.remittance.adapters.tables import eras, messaging
from services.remittance.entrypoints.consumers import ENCOUNTER_HANDLERS, ENCOUNTER_TOPICS, HANDLERS, TOPICS
from services.remittance.service_layer.claim_arrivals import ReceivedClaims, SubmittedClaims
from services.remittance.service_layer.posting import receive_era_file
from shared.contracts.encounter import Encounter
from shared.db import create_engine, session_factory, unit_of_work
from shared.events.claim_events import BilledLine, ClaimReceived, ClaimSubmitted
from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS
from shared.messaging.consumer import ClaimEventConsumer, TransientFailure
from shared.messaging.deliveries import ConsumerUnitOfWork
from shared.messaging.outbox import envelope_for
from shared.messaging.topics import physical_topic
from tests.support.consumer_batches import deliveries_of
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment
from tests.support.kafka import header, produce
from tests.support.payees import project_payees

D = Decimal
TENANT = "t-late-secondary"
EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "x12" / "835" / "tr3_example_managed_care.835"
EXAMPLE_PCN, EXAMPLE_TRACE, PAYEE_NPI, PAYEE_TIN = "5554555444", "7170066655", "5544667733", "777667755"
READY, POSTED = "claim.secondary_billing_ready", "claim.remittance_posted"


@pytest.fixture(autouse=True)
async def tenant_paid_under_the_example_payee(isolated: IsolatedEnvironment) -> None:
    """The example 835's payee (N1*PE, REF*TJ) is this module's tenant's: its ERAs are routed to it."""
    engine = create_engine(isolated.database_url, instrument=False)
    try:
        await project_payees(session_factory(engine), TENANT, PAYEE_NPI, PAYEE_TIN)
    finally:
        await engine.dispose()


class Claim:
    """A fresh claim: its id, patient control number, and the primary's 835 paying it."""

    def __init__(self) -> None:
        self.claim_id = str(uuid.uuid4())
        self.pcn = f"L{uuid.uuid4().hex[:12].upper()}"
        self.era = EXAMPLE.read_text(encoding="ascii").replace(f"CLP*{EXAMPLE_PCN}*", f"CLP*{self.pcn}*").replace(
            f"TRN*1*{EXAMPLE_TRACE}*", f"TRN*1*{uuid.uuid4().hex[:16].upper()}*")

    def submitted(self) -> EventEnvelope:
        line = BilledLine(line_control_number=f"{self.pcn}-1", procedure_code="99211", modifiers=[], units=D(1),
                          charge=D("800"), date_of_service=dt.date(2002, 3, 1))
        event = ClaimSubmitted(submission_id=str(uuid.uuid4()), claim_version=1, patient_control_number=self.pcn,
                               frequency_code="1", payer_id="SIMACK", interchange_control_number="000000001",
                               total_charge=D("800"), billing_provider_npi=PAYEE_NPI,
                               patient_account_number="ACCT-LATE", lines=[line])
        return envelope_for(event, source="submission", claim_id=self.claim_id, tenant_id=TENANT)

    def received(self) -> EventEnvelope:
        encounter = encounter_for("SIMACK")
        primary = encounter["coverages"][0]
        encounter["coverages"] = [primary, primary | {
            "priority": "secondary", "member_id": "SEC998877", "group_number": None,
            "payer": {"payer_id": "SIMSEC", "name": "Secondary Mutual"}}]
        model = Encounter.model_validate(encounter)
        event = ClaimReceived(external_id=model.external_id, encounter=model)
        return envelope_for(event, source="intake", claim_id=self.claim_id, tenant_id=TENANT)


@contextlib.asynccontextmanager
async def delivered(isolated: IsolatedEnvironment, sessions, name: str, topics: list[str], handlers: dict,
                    envelopes: list[EventEnvelope]) -> AsyncIterator[tuple[ClaimEventConsumer, list]]:
    """Produce the envelopes to the topic; remittance's consumer (a fresh group) with the records it got."""
    topic = physical_topic(topics[0], isolated.namespace)
    await produce(isolated.kafka_bootstrap, topic, [(e.kafka_key(), e.kafka_headers(), e.kafka_value())
                                                    for e in envelopes])
    consumer = ClaimEventConsumer(name=f"{name}-{uuid.uuid4().hex[:6]}", topics=topics,
                                  bootstrap=isolated.kafka_bootstrap, sessions=sessions,
                                  tables=messaging, registry=CONTRACTS, handlers=handlers,
                                  namespace=isolated.namespace)
    await consumer.start()
    try:
        assert consumer.consumer is not None
        wanted, records = {e.id for e in envelopes}, []
        deadline = asyncio.get_running_loop().time() + 20
        # A fresh group reads from the start: an event produced by an earlier call comes again (a redelivery).
        while {header(r, "ce_id") for r in records} != wanted and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.consumer.getmany(timeout_ms=300)
            records += [r for rs in batch.values() for r in rs if header(r, "ce_id") in wanted]
        assert {header(r, "ce_id") for r in records} == wanted
        yield consumer, records
    finally:
        await consumer.stop()


async def apply_through_consumer(isolated: IsolatedEnvironment, sessions, name: str, topics: list[str],
                                 handlers: dict, envelopes: list[EventEnvelope]) -> None:
    """Let remittance's consumer apply the envelopes in one batch and commit their offsets."""
    async with delivered(isolated, sessions, name, topics, handlers, envelopes) as (consumer, records):
        await consumer.apply(records)
        await consumer.commit(records)


async def stream(sessions, claim_id: str) -> list[tuple[str, dict]]:
    events = messaging.claim_events
    async with sessions() as session:
        rows = (await session.execute(select(events.c.event_type, events.c.data)
                                      .where(events.c.claim_id == claim_id).order_by(events.c.version))).all()
    return [(r.event_type, r.data) for r in rows]


async def test_claim_received_after_the_primary_835_was_posted_bills_the_secondary_once(
        isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    claim = Claim()
    try:
        await apply_through_consumer(isolated, sessions, "remittance.submitted-claims", TOPICS, HANDLERS,
                                     [claim.submitted()])
        delivery_id = f"late-{uuid.uuid4().hex}"
        async with unit_of_work(sessions) as session:
            assert await receive_era_file(session, delivery_id, claim.era) == ("partially_matched", None)
        assert [t for t, _ in await stream(sessions, claim.claim_id)] == [POSTED]  # no coverage known yet
        async with sessions() as session:
            era = (await session.execute(select(eras).where(eras.c.delivery_id == delivery_id))).one()
        assert era.warnings == [{"segment_index": 3, "segment_id": "BPR", "element": "BPR16",
                                 "reason": "is not a calendar date"}]
        assert era.payment_date is None

        received = claim.received()
        await apply_through_consumer(isolated, sessions, "remittance.received-claims", ENCOUNTER_TOPICS,
                                     ENCOUNTER_HANDLERS, [received])
        events = await stream(sessions, claim.claim_id)
        assert [t for t, _ in events] == [POSTED, READY]
        posted, ready = events[0][1], events[1][1]
        assert ready["era_id"] == posted["era_id"] == str(era.era_id)
        assert (ready["prior_payer_id"], ready["prior_payer_claim_control_number"], ready["next_payer_priority"]) \
            == ("SIMACK", "94060555410000", "secondary")
        assert ready["adjudication_date"] == "2002-03-14"  # DTM*405: BPR16 could not be read
        assert D(ready["paid_total"]) == D("450")
        assert [(a["group_code"], a["reason_code"], D(a["amount"])) for a in ready["claim_adjustments"]] == \
            [("CO", "A2", D("50"))]
        (line,) = ready["lines"]
        assert (line["line_control_number"], D(line["paid"]), D(line["paid_units"])) == \
            (f"{claim.pcn}-1", D("500"), D(1))
        assert [(a["group_code"], a["reason_code"], D(a["amount"])) for a in line["adjustments"]] == \
            [("PR", "1", D("300"))]

        # The same event redelivered, and a later claim.received of the same claim: still billed once.
        again = claim.received()
        await apply_through_consumer(isolated, sessions, "remittance.received-claims", ENCOUNTER_TOPICS,
                                     ENCOUNTER_HANDLERS, [received, again])
        assert [t for t, _ in await stream(sessions, claim.claim_id)] == [POSTED, READY]
    finally:
        await engine.dispose()


async def _submitted(sessions, claim: Claim) -> None:
    envelope = claim.submitted()
    async with unit_of_work(sessions) as session:
        await SubmittedClaims().apply(ConsumerUnitOfWork(session, messaging), deliveries_of([envelope]))


async def _post(sessions, claim: Claim) -> None:
    async with unit_of_work(sessions) as session:
        await receive_era_file(session, f"race-{uuid.uuid4().hex}", claim.era)


async def test_claim_received_while_the_835_posts_is_retried_after_it_and_bills_the_secondary_once(
        isolated: IsolatedEnvironment) -> None:
    """The consumer does not wait for the posting (its batch could deadlock with the ERA's claims): the
    batch rolls back as a transient failure and, applied again once the posting committed, sees it."""
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    claim = Claim()
    try:
        await _submitted(sessions, claim)
        async with delivered(isolated, sessions, "remittance.received-claims", ENCOUNTER_TOPICS,
                             ENCOUNTER_HANDLERS, [claim.received()]) as (consumer, records):
            async with sessions() as posting, posting.begin():
                await receive_era_file(posting, f"race-{uuid.uuid4().hex}", claim.era)
                with pytest.raises(TransientFailure):
                    await asyncio.wait_for(consumer.apply(records), timeout=10)
            await consumer.apply(records)
            await consumer.commit(records)
        assert [t for t, _ in await stream(sessions, claim.claim_id)] == [POSTED, READY]
    finally:
        await engine.dispose()


async def test_835_posted_while_claim_received_is_applied_waits_and_bills_the_secondary_once(
        isolated: IsolatedEnvironment) -> None:
    engine = create_engine(isolated.database_url, instrument=False)
    sessions = session_factory(engine)
    claim = Claim()
    try:
        await _submitted(sessions, claim)
        async with sessions() as first, first.begin():
            envelope = claim.received()
            await ReceivedClaims().apply(ConsumerUnitOfWork(first, messaging), deliveries_of([envelope]))
            posting = asyncio.create_task(_post(sessions, claim))
            await asyncio.sleep(0.5)
            assert not posting.done(), "the posting waits for the encounter's transaction"
        await asyncio.wait_for(posting, timeout=10)
        assert [t for t, _ in await stream(sessions, claim.claim_id)] == [POSTED, READY]
    finally:
        await engine.dispose()
