"""Coding applies new claims and corrected encounters as a set, on the real broker and database: a batch costs the
same statements whatever its size, a claim coded already is not coded again, a poison is dead-lettered alone, and
a claim coded in a batch gets the rows and events it gets when coded on its own."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import event, select

from services.coding.adapters.policy_repository import TenantPolicyStore
from services.coding.adapters.tables import coded_claims, coding_reviews
from services.coding.adapters.tables import messaging as coding_tables
from services.coding.domain.coding_policy import CodingPolicy
from shared.contracts.encounter import Encounter
from shared.db import create_engine, session_factory, unit_of_work
from shared.events import claim_events, intake_events  # noqa: F401 - registers contracts
from shared.events.claim_events import ClaimReceived
from shared.events.envelope import EventEnvelope
from shared.events.intake_events import ClaimEncounterCorrected
from shared.events.registry import CONTRACTS
from shared.messaging.consumer import ClaimEventConsumer
from shared.messaging.topics import dead_letter_topic, events_topic, physical_topic
from tests.integration.test_outbox_and_consumers import poll_until, real_coding_handlers
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment
from tests.support.kafka import Record, header, produce

pytestmark = pytest.mark.integration
INTAKE = events_topic("intake")
HOLD_UNDERCODING = CodingPolicy(hold_undercoding=True)
# A note that supports every PMS code and a 99214: coded at once when 99214 is billed; billed 99213, undercoded
CLEAN_NOTE = ("Established patient follow-up of type 2 diabetes and hypertension. Home glucose 180-250. BP 148/92. "
              "A1c 8.9%. Assessment: type 2 diabetes mellitus with hyperglycemia, uncontrolled; essential "
              "hypertension, not at goal. Plan: start lisinopril 10 mg daily, diabetic education, return in 3 months. "
              "Moderate complexity medical decision making: two chronic illnesses with progression, prescription "
              "drug management.")
# The example note plus a finding nobody billed: the reader suggests R25.1 with low confidence, so a coder reviews it
REVIEW_NOTE = encounter_for("SIMPAY")["clinical_note"] + " Resting tremor of the right hand, not yet evaluated."


def record(claim_id: str, event: Any, marker: str, tenant_id: str = "t-sets") -> Record:
    sent = EventEnvelope(type=event.event_type, source="intake", subject=claim_id, tenant_id=tenant_id,
                         schema_version=event.version, data=event.model_dump(mode="json"))
    return sent.kafka_key(), sent.kafka_headers() + [("marker", marker.encode())], sent.kafka_value()


def received(claim_id: str, marker: str, tenant_id: str = "t-sets", encounter: Encounter | None = None,
             **changes: Any) -> Record:
    encounter = encounter or Encounter.model_validate(encounter_for("SIMPAY", **changes))
    return record(claim_id, ClaimReceived(external_id=encounter.external_id, encounter=encounter), marker, tenant_id)


def corrected(claim_id: str, marker: str, encounter: Encounter) -> Record:
    return record(claim_id, ClaimEncounterCorrected(encounter=encounter, reason="member id corrected"), marker)


def mixed(claims: Sequence[str], marker: str) -> list[Record]:
    """Claims with a note a coder reviews (REVIEW_NOTE's weak suggestion) and without one (coded at once)."""
    return [received(claim_id, marker, clinical_note=None) if index % 2 == 0
            else received(claim_id, marker, clinical_note=REVIEW_NOTE)
            for index, claim_id in enumerate(claims)]


@pytest.fixture
async def sessions(isolated: IsolatedEnvironment):
    engine = create_engine(isolated.database_url)
    yield engine, session_factory(engine)
    await engine.dispose()


async def consumed(isolated: IsolatedEnvironment, factory, records: list[Record], marker: str) -> tuple[
        ClaimEventConsumer, list]:
    """Produce the records, then poll them back with a fresh group, in the order they were sent."""
    records = [(key, [*headers, ("sent", str(index).encode())], value)
               for index, (key, headers, value) in enumerate(records)]
    await produce(isolated.kafka_bootstrap, physical_topic(INTAKE, isolated.namespace), records)
    consumer = ClaimEventConsumer(name=f"coding-sets-{marker[:8]}", topics=[INTAKE], bootstrap=isolated.kafka_bootstrap,
                                  sessions=factory, tables=coding_tables, registry=CONTRACTS,
                                  handlers=real_coding_handlers(), max_attempts=2, namespace=isolated.namespace)
    await consumer.start()
    polled = [r for r in await poll_until(consumer, len(records)) if header(r, "marker") == marker]
    assert len(polled) == len(records)
    return consumer, sorted(polled, key=lambda r: int(header(r, "sent") or 0))


async def statements_of(engine, consumer: ClaimEventConsumer, records: list) -> list[str]:
    executed: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        executed.append(statement.split(None, 1)[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await consumer.apply(records)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    return executed


async def test_a_batch_costs_the_same_statements_whatever_its_size(isolated: IsolatedEnvironment, sessions) -> None:
    engine, factory = sessions
    marker = uuid.uuid4().hex
    small, large = [str(uuid.uuid4()) for _ in range(4)], [str(uuid.uuid4()) for _ in range(16)]
    consumer, records = await consumed(isolated, factory, mixed(small, marker) + mixed(large, marker), marker)
    try:
        small_batch = await statements_of(engine, consumer, records[:4])
        large_batch = await statements_of(engine, consumer, records[4:])
    finally:
        await consumer.stop()
    # inbox; where coding stands on the claims; the tenants' policies; review items; events and outbox; coded rows
    assert small_batch == large_batch == ["INSERT", "SELECT", "SELECT", "INSERT", "WITH", "INSERT"]
    async with factory() as session:
        statuses = dict((await session.execute(select(coded_claims.c.claim_id, coded_claims.c.status).where(
            coded_claims.c.claim_id.in_(small + large)))).all())
    assert sorted(statuses.values()) == ["coded"] * 10 + ["coding_review"] * 10


async def test_a_claim_received_again_changes_nothing(isolated: IsolatedEnvironment, sessions) -> None:
    _engine, factory = sessions
    marker = uuid.uuid4().hex
    claim_id, other = str(uuid.uuid4()), str(uuid.uuid4())
    first = received(claim_id, marker, clinical_note=REVIEW_NOTE)
    again = received(claim_id, marker, clinical_note=None)  # a new event for the same claim (another encounter)
    consumer, records = await consumed(isolated, factory, [first, again, first, received(other, marker)], marker)
    try:
        await consumer.apply(records[:1])
        async with factory() as session:
            before = (await session.execute(select(coded_claims).where(coded_claims.c.claim_id == claim_id))).one()
        await consumer.apply(records[1:])  # the new event, the first one redelivered, another claim
    finally:
        await consumer.stop()
    events, inbox = coding_tables.claim_events, coding_tables.inbox
    async with factory() as session:
        after = (await session.execute(select(coded_claims).where(coded_claims.c.claim_id == claim_id))).one()
        versions = (await session.execute(select(events.c.claim_id, events.c.version).where(
            events.c.claim_id.in_([claim_id, other])))).all()
        reviews = (await session.execute(select(coding_reviews.c.review_id).where(
            coding_reviews.c.claim_id == claim_id))).all()
        applied = (await session.execute(select(inbox.c.event_id).where(inbox.c.consumer == consumer.name))).all()
    assert after == before, "the claim's coding is untouched"
    assert sorted(str(c) == claim_id for c, _ in versions) == [False, True], "one event each, none added"
    assert len(reviews) == 1
    assert len(applied) == 3, "both claim.received events of the claim and the other claim's were taken in"


async def test_a_poison_claim_is_dead_lettered_alone(isolated: IsolatedEnvironment, sessions) -> None:
    _engine, factory = sessions
    marker = uuid.uuid4().hex
    claims = [str(uuid.uuid4()) for _ in range(5)]
    poison = EventEnvelope(type=ClaimReceived.event_type, source="intake", subject=claims[2], tenant_id="t-sets",
                           schema_version=1, data={"external_id": "E-1"})  # no encounter: not a valid claim.received
    records = mixed(claims, marker)
    records[2] = (poison.kafka_key(), poison.kafka_headers() + [("marker", marker.encode())], poison.kafka_value())
    consumer, polled = await consumed(isolated, factory, records, marker)
    try:
        await consumer.apply(polled)
    finally:
        await consumer.stop()
    inbox, outbox = coding_tables.inbox, coding_tables.outbox
    async with factory() as session:
        coded = (await session.execute(select(coded_claims.c.claim_id).where(
            coded_claims.c.claim_id.in_(claims)))).scalars().all()
        outcomes = dict((await session.execute(select(inbox.c.event_id, inbox.c.outcome).where(
            inbox.c.consumer == consumer.name))).all())
        dead = (await session.execute(select(outbox.c.message_key, outbox.c.headers).where(
            outbox.c.topic == dead_letter_topic(INTAKE)))).all()
    assert sorted(coded) == sorted(claims[:2] + claims[3:])
    assert outcomes[poison.id] == "dead_lettered" and sorted(outcomes.values()).count("applied") == 4
    [(key, headers)] = [row for row in dead if row.message_key == claims[2].encode()]
    reason = dict((name, value) for name, value, *_ in headers)["dlq_reason"]
    assert reason.startswith("EventContractError"), reason


def normalised(rows: Sequence[Any], drop: Sequence[str]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row._mapping.items() if k not in drop} for row in rows]


async def written(factory, claims: Sequence[str]) -> list[tuple]:
    """Per claim, in order: its coded row, review items and events, without ids and times."""
    events = coding_tables.claim_events
    found = []
    async with factory() as session:
        for claim_id in claims:
            row = (await session.execute(select(coded_claims).where(coded_claims.c.claim_id == claim_id))).all()
            reviews = (await session.execute(select(coding_reviews).where(coding_reviews.c.claim_id == claim_id)
                                             .order_by(coding_reviews.c.sequence))).all()
            stream = (await session.execute(select(events).where(events.c.claim_id == claim_id)
                                            .order_by(events.c.version))).all()
            found.append((
                normalised(row, ("claim_id", "review_id", "updated_at")),
                normalised(reviews, ("review_id", "claim_id", "sequence", "opened_at", "closed_at")),
                [(e.version, e.event_type, e.schema_version, e.tenant_id, e.traceparent is not None,
                  {k: v for k, v in e.data.items() if k != "review_id"}) for e in stream]))
    return found


async def test_claims_coded_in_one_batch_get_what_each_gets_coded_alone(isolated: IsolatedEnvironment,
                                                                         sessions) -> None:
    """New claims (a note, no note, an empty note, an E/M billed below what the note supports for a tenant whose
    policy holds undercoding and one whose does not), then corrected encounters (one under review, one coded):
    once as batches, once a record at a time."""
    _engine, factory = sessions
    marker = uuid.uuid4().hex
    holding, lenient = f"t-hold-{marker[:6]}", f"t-lenient-{marker[:6]}"
    async with unit_of_work(factory) as session:
        await TenantPolicyStore(session).apply(holding, HOLD_UNDERCODING, dt.datetime.now(dt.UTC))
    lines = encounter_for("SIMPAY")["service_lines"]
    billed_low = [{**lines[0], "procedure_code": "99213"}, *lines[1:]]
    def encounter(**changes: Any) -> Encounter:
        return Encounter.model_validate(encounter_for("SIMPAY", **changes))

    news = [(encounter(clinical_note=REVIEW_NOTE), "t-sets"), (encounter(clinical_note=None), "t-sets"),
            (encounter(clinical_note="   "), "t-sets"),
            (encounter(clinical_note=CLEAN_NOTE, service_lines=billed_low), holding),
            (encounter(clinical_note=CLEAN_NOTE, service_lines=billed_low), lenient)]
    corrections = [encounter(clinical_note=None), encounter(clinical_note=REVIEW_NOTE)]
    batched, alone = ([str(uuid.uuid4()) for _ in news] for _ in range(2))
    records = []
    for claims in (batched, alone):
        records += [received(claim_id, marker, tenant, new)
                    for claim_id, (new, tenant) in zip(claims, news, strict=True)]
        records += [corrected(claim_id, marker, fixed) for claim_id, fixed in zip(claims, corrections, strict=False)]
    consumer, polled = await consumed(isolated, factory, records, marker)
    try:
        await consumer.apply(polled[:5])
        await consumer.apply(polled[5:7])
        for one in polled[7:]:
            await consumer.apply([one])
    finally:
        await consumer.stop()
    in_batches, each_alone = await written(factory, batched), await written(factory, alone)
    assert in_batches == each_alone
    statuses = [rows[0]["status"] for rows, _, _ in in_batches]
    assert statuses == ["coded", "coding_review", "coding_review", "coding_review", "coded"]
    assert [rows[0]["coding_round"] for rows, _, _ in in_batches] == [2, 2, 1, 1, 1]
    assert [review["status"] for review in in_batches[0][1]] == ["superseded"]
    assert in_batches[0][1][0]["closed_by"] == "encounter_corrected"
