"""Coding new claims and corrected encounters as a set: one reading of the batch's notes, the same decision, rows
and events per claim as coding it alone, and a fixed number of store calls per batch (fake stores)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from services.coding.adapters.repository import CodingState
from services.coding.domain.coding_decision import (
    CodingDecision,
    assess_coding,
    decide_coding,
    read_note_of,
    read_notes_of,
)
from services.coding.domain.coding_policy import DEFAULT_POLICY, CodingPolicy
from services.coding.domain.review_queue import ReviewItem
from services.coding.service_layer.handlers import CodingClaimEvents, coding_outcome
from shared.events import claim_events, intake_events  # noqa: F401 - registers contracts
from shared.events.claim_events import ClaimReceived
from shared.events.envelope import EventEnvelope
from shared.events.intake_events import ClaimEncounterCorrected
from shared.events.registry import CONTRACTS
from shared.messaging.deliveries import Delivery, DeliveryFailed
from tests.unit.coding.fake_engines import CONFIRMING, Em, FakeEngines, Reading, Suggested, encounter
from tests.unit.coding.test_coding_decision import CASES

SUPPORTED_EM = {"99214": Em("99214", "99214", "supported")}
UNDERCODED = {"99214": Em("99214", "99215", "undercoded")}
WEAK = Reading(diagnoses=(*CONFIRMING.diagnoses, Suggested("E78.5", 0.6)))  # a coder decides
HOLD_UNDERCODING = CodingPolicy(hold_undercoding=True)


@dataclass
class NoteEngines(FakeEngines):
    """Readings by note text; counts how the notes were read."""

    by_note: dict[str, Reading] = field(default_factory=dict)
    single_reads: int = 0
    batch_reads: list[int] = field(default_factory=list)

    def read_note(self, note: str, date_of_service: dt.date) -> Any:
        self.single_reads += 1
        return self.by_note.get(note, self.reading)

    def read_notes(self, notes: Sequence[tuple[str, dt.date]]) -> Sequence[Any]:
        self.batch_reads.append(len(notes))
        return [self.by_note.get(note, self.reading) for note, _ in notes]


def engines(em: dict[str, Em] = SUPPORTED_EM) -> NoteEngines:
    return NoteEngines(CONFIRMING, em, by_note={"weak": WEAK, "unreadable": Reading(problems="not English")})


NOTES = ["a note the reader confirms", "weak", None, "   ", "unreadable", "a note the reader confirms", "weak"]


@pytest.mark.parametrize(("changes", "fake"), [case[1:3] for case in CASES], ids=[case[0] for case in CASES])
@pytest.mark.parametrize("policy", [DEFAULT_POLICY, HOLD_UNDERCODING])
def test_a_decision_from_a_batch_reading_is_the_decision_of_the_claim_alone(changes, fake, policy) -> None:
    claim = encounter(**changes)
    [note] = read_notes_of([claim], fake)
    assert assess_coding(claim, fake, note).under(policy) == decide_coding(claim, fake, policy)


def test_a_batch_reads_its_notes_in_one_call_and_each_claim_gets_its_own() -> None:
    claims = [encounter(clinical_note=note) for note in NOTES]
    batch = engines()
    assert read_notes_of(claims, batch) == [read_note_of(claim, engines()) for claim in claims]
    assert batch.batch_reads == [5] and batch.single_reads == 0, "only readable notes go to the reader, once"


def test_when_the_batch_reading_fails_each_note_is_read_alone() -> None:
    class BatchFails(NoteEngines):
        def read_notes(self, notes: Sequence[tuple[str, dt.date]]) -> Sequence[Any]:
            raise MemoryError("the batch was too much")

    claims = [encounter(clinical_note=note) for note in NOTES]
    fallback = BatchFails(CONFIRMING, SUPPORTED_EM, by_note=engines().by_note)
    assert read_notes_of(claims, fallback) == [read_note_of(claim, engines()) for claim in claims]
    assert fallback.single_reads == 5


# The set handler, on fake stores -------------------------------------------------------------------------------

@dataclass
class FakeWork:
    """Coding's stores in memory, counting the calls each makes per batch."""

    versions: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, int] = field(default_factory=dict)
    tenant_policies: dict[str, CodingPolicy] = field(default_factory=dict)
    rows: dict[str, dict] = field(default_factory=dict)
    reviews_added: list[ReviewItem] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    announced: list[tuple[EventEnvelope, Delivery]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.claims = self.reviews = self.policies = self

    async def states_of(self, claims: Sequence[tuple[str, str]]) -> dict[str, CodingState]:
        self.calls.append("states_of")
        return {c: CodingState(self.versions.get(c, 0), self.rounds.get(c)) for c, _ in claims
                if c in self.versions or c in self.rounds}

    async def policies_for(self, tenant_ids: set[str]) -> dict[str, CodingPolicy]:
        self.calls.append("policies_for")
        return {t: self.tenant_policies.get(t, DEFAULT_POLICY) for t in tenant_ids}

    async def supersede_active(self, claim_ids: Sequence[str], closed_by: str) -> None:
        self.calls.append("supersede_active")
        self.superseded += claim_ids

    async def add_all(self, items: Sequence[ReviewItem]) -> None:
        self.calls.append("add_all")
        self.reviews_added += items

    async def save_all(self, codings: Sequence[dict[str, Any]]) -> None:
        self.calls.append("save_all")
        self.rows.update({c["claim_id"]: c for c in codings})

    def announce(self, envelopes: Sequence[EventEnvelope], cause: Delivery) -> None:
        self.announced += [(envelope, cause) for envelope in envelopes]

    async def flush(self) -> dict[str, int]:
        self.calls.append("flush")
        for envelope, _ in self.announced:
            self.versions[envelope.subject] = self.versions.get(envelope.subject, 0) + 1
        return {envelope.subject: self.versions[envelope.subject] for envelope, _ in self.announced}


def delivery(event_type: str, claim_id: str, tenant_id: str = "t-sets", offset: int = 0, **data: Any) -> Delivery:
    sent = EventEnvelope(type=event_type, source="intake", subject=claim_id, tenant_id=tenant_id, schema_version=1,
                         data=data)
    return Delivery(sent, CONTRACTS, topic="claims.intake.events", partition=0, offset=offset, traceparent=None)


def received(claim_id: str, note: str | None, tenant_id: str = "t-sets", **changes: Any) -> Delivery:
    claim = encounter(clinical_note=note, **changes)
    event = ClaimReceived(external_id=claim.external_id, encounter=claim)
    return delivery(ClaimReceived.event_type, claim_id, tenant_id, **event.model_dump(mode="json"))


def corrected(claim_id: str, note: str | None) -> Delivery:
    event = ClaimEncounterCorrected(encounter=encounter(clinical_note=note), reason="payer id corrected")
    return delivery(ClaimEncounterCorrected.event_type, claim_id, **event.model_dump(mode="json"))


def apply(handler: CodingClaimEvents, deliveries: Sequence[Delivery], *, prepare: bool = True) -> None:
    if prepare:
        handler.prepare(deliveries)
    asyncio.run(handler.apply(None, deliveries))  # type: ignore[arg-type]  # the fake work ignores it


def without_ids(outcome_row: dict, review: ReviewItem | None, event: EventEnvelope) -> tuple:
    row = {k: v for k, v in outcome_row.items() if k not in ("review_id", "version")}
    data = {k: v for k, v in event.data.items() if k != "review_id"}
    return row, replace(review, review_id="") if review else None, (event.type, event.subject, data)


def test_a_batch_writes_for_each_claim_what_coding_it_alone_writes() -> None:
    # undercoding: a warning by default, a hold for t-hold
    fake, work = engines(UNDERCODED), FakeWork(tenant_policies={"t-hold": HOLD_UNDERCODING})
    batch = [received(f"c{i}", note, tenant_id="t-hold" if i % 3 == 0 else "t-sets") for i, note in enumerate(NOTES)]
    apply(CodingClaimEvents(fake, unit_of_work=lambda _uow: work), batch)

    reviews = {item.claim_id: item for item in work.reviews_added}
    events = {envelope.subject: envelope for envelope, _ in work.announced}
    for one in batch:
        alone = decide_coding(one.event.encounter, engines(UNDERCODED),
                              work.tenant_policies.get(one.tenant_id, DEFAULT_POLICY))
        expected = coding_outcome(one, alone, "coding", 1)
        assert without_ids(work.rows[one.claim_id], reviews.get(one.claim_id), events[one.claim_id]) == \
            without_ids(expected.row, expected.review, expected.event), one.claim_id
    assert {c for c, row in work.rows.items() if row["status"] == "coding_review"} == set(reviews)
    assert all(work.rows[c]["review_id"] == reviews[c].review_id == events[c].data["review_id"] for c in reviews)
    assert [cause.claim_id for _, cause in work.announced] == [d.claim_id for d in batch], "each continues its trace"


@pytest.mark.parametrize("size", [1, 25])
def test_a_batch_costs_one_call_per_store_whatever_its_size(size: int) -> None:
    work = FakeWork(versions={"c0": 1}, rounds={"c0": 1})
    batch = [corrected("c0", "weak")] + [received(f"c{i}", NOTES[i % len(NOTES)]) for i in range(1, size + 1)]
    fake = engines()
    apply(CodingClaimEvents(fake, unit_of_work=lambda _uow: work), batch)
    assert sorted(work.calls) == ["add_all", "flush", "policies_for", "save_all", "states_of", "supersede_active"]
    assert len(fake.batch_reads) == 1 and fake.single_reads == 0


def test_a_claim_coding_already_wrote_about_is_not_coded_again() -> None:
    work = FakeWork(versions={"c1": 2}, rounds={"c1": 1})
    apply(CodingClaimEvents(engines(), unit_of_work=lambda _uow: work), [received("c1", "weak")])
    assert work.calls == ["states_of"] and not work.announced and not work.rows


def test_a_corrected_encounter_supersedes_the_open_review_and_is_coded_in_the_next_round() -> None:
    work = FakeWork(versions={"c1": 3}, rounds={"c1": 2})
    handler = CodingClaimEvents(engines(), unit_of_work=lambda _uow: work)
    apply(handler, [corrected("c1", "weak"), received("c2", "weak")])
    assert work.superseded == ["c1"]
    assert (work.rows["c1"]["coding_round"], work.rows["c1"]["version"]) == (3, 4)
    assert [(item.claim_id, item.trigger, item.coding_round) for item in work.reviews_added] == [
        ("c1", "encounter_corrected", 3), ("c2", "coding", 1)]


def test_an_event_that_cannot_be_decoded_fails_alone() -> None:
    poison = delivery(ClaimReceived.event_type, "c2", external_id="x")  # no encounter
    work = FakeWork()
    with pytest.raises(DeliveryFailed) as failed:
        apply(CodingClaimEvents(engines(), unit_of_work=lambda _uow: work), [received("c1", "weak"), poison])
    assert failed.value.delivery is poison and type(failed.value.error).__name__ == "EventContractError"
    assert not work.rows


def test_a_batch_applied_without_prepare_is_decided_in_apply() -> None:
    work = FakeWork()
    apply(CodingClaimEvents(engines(), unit_of_work=lambda _uow: work), [received("c1", "weak")], prepare=False)
    assert work.rows["c1"]["status"] == "coding_review"


def test_a_claim_the_engines_failed_on_is_decided_again_on_the_next_attempt() -> None:
    @dataclass
    class LoadingEngines(NoteEngines):
        loaded: bool = False

        @property  # type: ignore[override]
        def reads_notes(self) -> bool:  # CodingEnginesLoading raises until its load finished
            if not self.loaded:
                raise RuntimeError("coding engines did not load")
            return True

        @reads_notes.setter
        def reads_notes(self, value: bool) -> None:
            pass

    fake, work = LoadingEngines(CONFIRMING, SUPPORTED_EM), FakeWork()
    handler = CodingClaimEvents(fake, unit_of_work=lambda _uow: work)
    batch = [received("c1", "a note")]
    handler.prepare(batch)
    with pytest.raises(DeliveryFailed):
        asyncio.run(handler.apply(None, batch))  # type: ignore[arg-type]
    fake.loaded = True
    asyncio.run(handler.apply(None, batch))  # type: ignore[arg-type]
    assert work.rows["c1"]["status"] == "coded"


def test_prepared_decisions_are_the_decisions_before_the_policy() -> None:
    batch = [received("c1", "weak")]
    [prepared] = CodingClaimEvents(engines()).decide(batch)
    assert isinstance(prepared, CodingDecision)
    assert prepared == assess_coding(batch[0].event.encounter, engines())
