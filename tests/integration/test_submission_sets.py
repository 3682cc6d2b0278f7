"""Submission applies a batch as a set, on real PostgreSQL built by the real migrations: a consumed batch, a
batch sent to the clearinghouse and an acknowledgement file each cost a fixed number of statements whatever
their size; a claim's events keep their order within a batch; a poison event fails alone; and every event
continues its own claim's trace, never the batch's or another claim's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.submission.adapters.clearinghouse import OutboundBatch
from services.submission.adapters.clearinghouse.interface import SubmissionReceipt
from services.submission.adapters.tables import billing_claims, messaging, submissions
from services.submission.domain.batch import BatchRules
from services.submission.domain.send_backoff import Backoff
from services.submission.domain.submission_plan import Submitter, patient_control_number_for
from services.submission.entrypoints.consumers import coded_claim_handlers
from services.submission.service_layer.acknowledgements import receive_acknowledgement
from services.submission.service_layer.batch_sending import send_due_batches
from services.submission.service_layer.batching import form_batches
from shared.contracts.encounter import Encounter
from shared.db import create_engine, session_factory, unit_of_work
from shared.events.claim_events import ClaimCoded, CodeDecision
from shared.events.envelope import EventEnvelope
from shared.events.registry import CONTRACTS
from shared.messaging.consumer import ClaimEventConsumer
from shared.messaging.outbox import envelope_for
from tests.e2e.x12_documents import _envelope
from tests.support.encounters import encounter_for
from tests.support.environment import IsolatedEnvironment

TENANT = "t-sets"


@pytest.fixture
async def engine(isolated: IsolatedEnvironment) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(isolated.database_url, instrument=False)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@contextmanager
def counted_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine runs inside the block (their first words)."""
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(" ".join(statement.split())[:60])

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)


def traceparent() -> str:
    return f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"


def coded(claim_id: str, encounter: dict) -> EventEnvelope:
    valid = Encounter.model_validate(encounter)
    event = ClaimCoded(encounter=valid, diagnoses=[CodeDecision(code=c, source="pms") for c in valid.diagnoses],
                       procedures=[CodeDecision(code=line.procedure_code, source="pms")
                                   for line in valid.service_lines])
    return envelope_for(event, source="coding", claim_id=claim_id, tenant_id=TENANT)


def record(envelope: EventEnvelope, offset: int, trace: str | None) -> ConsumerRecord:
    headers = list(envelope.kafka_headers()) + ([("traceparent", trace.encode())] if trace else [])
    value = envelope.kafka_value()
    return ConsumerRecord("claims.coding.events", 0, offset, 0, 0, envelope.kafka_key(), value, None, 0, len(value),
                          headers)


def coded_claims_consumer(isolated: IsolatedEnvironment, sessions: async_sessionmaker[AsyncSession]
                          ) -> ClaimEventConsumer:
    return ClaimEventConsumer(name=f"submission.sets-{uuid.uuid4().hex[:6]}", topics=["claims.coding.events"],
                              bootstrap=isolated.kafka_bootstrap, sessions=sessions, tables=messaging,
                              registry=CONTRACTS, handlers=coded_claim_handlers(), max_attempts=2)


async def versions_of(sessions: async_sessionmaker[AsyncSession], claim_ids: list[str]) -> dict[str, list[dict]]:
    async with sessions() as session:
        rows = (await session.execute(select(submissions).where(submissions.c.claim_id.in_(claim_ids))
                                      .order_by(submissions.c.claim_version))).all()
    found: dict[str, list[dict]] = {claim_id: [] for claim_id in claim_ids}
    for row in rows:
        found[row.claim_id].append(dict(row._mapping))
    return found


async def test_a_coded_batch_costs_the_same_statements_for_one_claim_or_forty(
        isolated: IsolatedEnvironment, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
    consumer = coded_claims_consumer(isolated, sessions)
    counts = []
    for size in (1, 40):
        claims = {str(uuid.uuid4()): traceparent() for _ in range(size)}
        records = [record(coded(claim_id, encounter_for("SIMPAY")), offset, trace)
                   for offset, (claim_id, trace) in enumerate(claims.items())]
        with counted_statements(engine) as statements:
            await consumer.apply(records)
        counts.append(len(statements))
        versions = await versions_of(sessions, list(claims))
        assert all(len(v) == 1 and v[0]["status"] == "pending" for v in versions.values())
        # each version keeps the trace of the delivery that coded its claim, to be continued when it is sent
        assert {claim_id: v[0]["traceparent"] for claim_id, v in versions.items()} == claims
    assert counts[0] == counts[1] <= 8, f"statements for 1 and 40 claims: {counts}"


async def test_two_codings_of_one_claim_in_a_batch_apply_in_order(
        isolated: IsolatedEnvironment, sessions: async_sessionmaker[AsyncSession]) -> None:
    claim_id, other = str(uuid.uuid4()), str(uuid.uuid4())
    first = encounter_for("SIMPAY")
    corrected = {**first, "prior_authorization": "AUTH77"}
    records = [record(coded(claim_id, first), 0, None), record(coded(other, first), 1, None),
               record(coded(claim_id, corrected), 2, None)]
    await coded_claims_consumer(isolated, sessions).apply(records)

    versions = await versions_of(sessions, [claim_id, other])
    # the first coding was billed; the correction came next and waits for version 1's 277CA
    assert [v["frequency_code"] for v in versions[claim_id]] == ["1"]
    assert "REF*G1*AUTH77" not in versions[claim_id][0]["x12"]
    assert len(versions[other]) == 1
    async with sessions() as session:
        claim = (await session.execute(select(billing_claims).where(billing_claims.c.claim_id == claim_id))).one()
    assert claim.correction_pending and claim.encounter["prior_authorization"] == "AUTH77"


async def test_a_poison_coding_fails_alone_and_the_rest_of_the_batch_applies(
        isolated: IsolatedEnvironment, sessions: async_sessionmaker[AsyncSession]) -> None:
    claims = [str(uuid.uuid4()) for _ in range(3)]
    envelopes = [coded(claim_id, encounter_for("SIMPAY")) for claim_id in claims]
    poison = envelopes[1]
    poison.data["encounter"]["service_lines"] = "not a list"  # decodes as an envelope, not as claim.coded
    consumer = coded_claims_consumer(isolated, sessions)
    await consumer.apply([record(envelope, offset, None) for offset, envelope in enumerate(envelopes)])

    versions = await versions_of(sessions, claims)
    assert [len(versions[claim_id]) for claim_id in claims] == [1, 0, 1]
    async with sessions() as session:
        outcome = (await session.execute(select(messaging.inbox.c.outcome).where(
            messaging.inbox.c.consumer == consumer.name, messaging.inbox.c.event_id == poison.id))).scalar_one()
        dead_letters = (await session.execute(select(messaging.outbox.c.topic).where(
            messaging.outbox.c.message_key == claims[1].encode()))).scalars().all()
    assert outcome == "dead_lettered" and dead_letters == ["claims.coding.events.dlq"]


class RecordingClearinghouse:
    """Takes every batch (an HTTP clearinghouse that always answers 200)."""

    name = "simulator"
    picks_up_acknowledgements = False

    def __init__(self) -> None:
        self.batches: list[OutboundBatch] = []

    async def submit(self, batch: OutboundBatch) -> SubmissionReceipt:
        self.batches.append(batch)
        return SubmissionReceipt(reference=batch.batch_id)

    async def pending_acknowledgements(self) -> list:
        return []

    async def archive(self, acknowledgement: object) -> None:
        return None

    async def close(self) -> None:
        return None


async def test_batching_and_sending_cost_a_fixed_number_of_statements_and_keep_each_claims_trace(
        isolated: IsolatedEnvironment, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
    claims = {str(uuid.uuid4()): traceparent() for _ in range(30)}
    await coded_claims_consumer(isolated, sessions).apply(
        [record(coded(claim_id, encounter_for("SIMACK")), offset, trace)
         for offset, (claim_id, trace) in enumerate(claims.items())])
    clearinghouse = RecordingClearinghouse()
    with counted_statements(engine) as formed:
        batching = await form_batches(sessions, BatchRules(500, dt.timedelta(0)), lambda _payer: "simulator",
                                      Submitter())
    with counted_statements(engine) as sent:
        sent_batches = await send_due_batches(sessions, {"simulator": clearinghouse}, Backoff(1.0, 10.0))
    # Whatever was left pending by earlier tests is batched too: a few batches, each of a fixed cost.
    assert batching.closed == sent_batches == len(clearinghouse.batches) <= 5
    assert len(formed) <= 10, formed
    assert len(sent) <= 6 * sent_batches + 1, sent

    async with sessions() as session:
        statuses = set((await session.execute(select(submissions.c.status).where(
            submissions.c.claim_id.in_(list(claims))))).scalars())
        events = (await session.execute(select(messaging.claim_events.c.claim_id,
                                               messaging.claim_events.c.traceparent).where(
            messaging.claim_events.c.claim_id.in_(list(claims)),
            messaging.claim_events.c.event_type == "claim.submitted"))).all()
    assert statuses == {"sent"}
    assert {e.claim_id: e.traceparent for e in events} == claims, "claim.submitted continues each claim's trace"
    assert len(events) == len(claims)


def ack_277ca_for(accepted: dict[str, str]) -> str:
    """A 277CA accepting every claim named (CLM01 -> the payer's claim control number) under one provider."""
    today = dt.date.today().strftime("%Y%m%d")
    body = [f"BHT*0085*08*SETS{uuid.uuid4().hex[:8]}*{today}*0900*TH", "HL*1**20*1",
            "NM1*PR*2*E2E TEST HEALTH PLAN*****PI*E2EPAY", "TRN*1*SETS0001", f"DTP*050*D8*{today}",
            f"DTP*009*D8*{today}", "HL*2*1*21*1", "NM1*41*2*CLAIMLINE*****46*CLAIMLINE", "TRN*2*0001",
            f"STC*A1:19:PR*{today}*WQ*150", "HL*3*2*19*1", "NM1*85*2*SPRINGFIELD FAMILY MEDICINE*****XX*1234567893",
            "TRN*1*0", "STC*A1:19:PR**WQ*150"]
    for number, (pcn, payer_number) in enumerate(accepted.items(), start=4):
        body += [f"HL*{number}*3*PT", "NM1*QC*1*QUILLFEATHER*ZEBEDIAH****MI*MBRE2E0001", f"TRN*2*{pcn}",
                 f"STC*A2:20:PR*{today}*WQ*150", f"REF*1K*{payer_number}", f"DTP*472*D8*{today}"]
    return _envelope("HN", "005010X214", body, st03=True)


async def sent_claims(sessions: async_sessionmaker[AsyncSession], count: int) -> dict[str, str]:
    """count billing claims, each with version 1 sent in one interchange and a trace of its own: id -> trace."""
    claims = {str(uuid.uuid4()): traceparent() for _ in range(count)}
    ids = list(claims)
    async with unit_of_work(sessions) as session:
        await session.execute(text("""
            INSERT INTO submission.billing_claims (claim_id, tenant_id, patient_control_number, encounter,
                                                   current_version, status)
            SELECT id, :tenant, pcn, '{}'::jsonb, 1, 'submitted'
            FROM unnest(CAST(:ids AS uuid[]), CAST(:pcns AS text[])) AS i(id, pcn)"""),
            {"tenant": TENANT, "ids": ids, "pcns": [patient_control_number_for(c) for c in ids]})
        await session.execute(text("""
            INSERT INTO submission.submissions (submission_id, claim_id, tenant_id, claim_version, frequency_code,
                                                payer_id, status, interchange_control_number, x12, traceparent,
                                                sent_at)
            SELECT gen_random_uuid(), id, :tenant, 1, '1', 'SIMACK', 'sent', 424242, 'ISA...', trace, now()
            FROM unnest(CAST(:ids AS uuid[]), CAST(:traces AS text[])) AS i(id, trace)"""),
            {"tenant": TENANT, "ids": ids, "traces": list(claims.values())})
    return claims


async def test_an_acknowledgement_file_for_500_claims_is_applied_in_one_transaction_each_in_its_own_trace(
        engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
    claims = await sent_claims(sessions, 500)
    payer_numbers = {claim_id: f"PCCN{index:06d}" for index, claim_id in enumerate(claims)}
    x12 = ack_277ca_for({patient_control_number_for(c): n for c, n in payer_numbers.items()})
    with counted_statements(engine) as statements:
        async with unit_of_work(sessions) as session:
            outcome, error = await receive_acknowledgement(session, f"sets-{uuid.uuid4().hex}", "x12.277ca", x12)
    assert (outcome, error) == ("applied", None)
    assert len(statements) <= 12, statements

    async with sessions() as session:
        accepted = dict((await session.execute(select(
            submissions.c.claim_id, submissions.c.payer_claim_control_number).where(
            submissions.c.claim_id.in_(list(claims)), submissions.c.status == "accepted"))).all())
        events = (await session.execute(select(
            messaging.claim_events.c.claim_id, messaging.claim_events.c.event_type,
            messaging.claim_events.c.traceparent).where(messaging.claim_events.c.claim_id.in_(list(claims))))).all()
        claim_statuses = set((await session.execute(select(billing_claims.c.status).where(
            billing_claims.c.claim_id.in_(list(claims))))).scalars())
    assert accepted == payer_numbers
    assert claim_statuses == {"accepted"}
    assert sorted((e.claim_id, e.event_type) for e in events) == sorted((c, "claim.accepted") for c in claims)
    assert {e.claim_id: e.traceparent for e in events} == claims, "each event continues its own claim's trace"
