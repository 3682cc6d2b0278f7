"""Which ready claims share a batch, and when a batch is sent: size, age, payer, clearinghouse, P vs I."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from services.submission.domain.batch import (
    BatchKey,
    BatchRules,
    InvalidBatchRules,
    OpenBatch,
    ReadyClaim,
    assign_to_batches,
    batch_file_name,
    batch_idempotency_key,
    due_batches,
    submission_key,
)

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
P = "005010X222A1"
I = "005010X223A2"  # noqa: E741 - the 837I's implementation guide
KEY = BatchKey("practice-a", "simulator", "SIMPAY", P)
RULES = BatchRules(max_claims=3, max_age=dt.timedelta(seconds=5))


def _claim(n: int, payer: str = "SIMPAY", guide: str = P, clearinghouse: str = "simulator",
           claim_id: str | None = None, tenant: str = "practice-a") -> ReadyClaim:
    return ReadyClaim(f"sub-{n}", claim_id or f"claim-{n}", BatchKey(tenant, clearinghouse, payer, guide))


def _assign(ready: list[ReadyClaim], open_batches: list[OpenBatch] | None = None,
            rules: BatchRules = RULES) -> tuple[dict[str, str], list[OpenBatch], list[OpenBatch]]:
    batches = open_batches if open_batches is not None else []
    counter = itertools.count(1)
    assignments, opened = assign_to_batches(ready, batches, rules, NOW, lambda: f"batch-{next(counter)}")
    return {a.submission_id: a.batch_id for a in assignments}, opened, batches


@pytest.mark.parametrize(("ready", "expected_batches"), [
    ([_claim(1), _claim(2), _claim(3)], 1),  # one payer, one kind, room for all: together
    ([_claim(1), _claim(2, payer="SIMDNY")], 2),  # two payers: two interchanges
    ([_claim(1), _claim(2, guide=I)], 2),  # 837P and 837I never mixed
    ([_claim(1), _claim(2, clearinghouse="sftp-a")], 2),  # same payer through two clearinghouses
    ([_claim(1), _claim(2, tenant="practice-b")], 2),  # two practices never share a submission
    ([_claim(n) for n in range(1, 8)], 3),  # max_claims 3: 3 + 3 + 1
    ([_claim(1, claim_id="c"), _claim(2, claim_id="c")], 2),  # two versions of one claim: CLM01 unique per file
])
def test_claims_are_grouped_by_tenant_clearinghouse_payer_and_kind(ready: list[ReadyClaim],
                                                                   expected_batches: int) -> None:
    assignments, opened, _ = _assign(ready)
    assert len(set(assignments.values())) == expected_batches
    assert len(opened) == expected_batches
    assert set(assignments) == {claim.submission_id for claim in ready}


def test_a_claim_joins_an_open_batch_with_room() -> None:
    waiting = OpenBatch("open-1", KEY, NOW - dt.timedelta(seconds=1), {"claim-9"})
    assignments, opened, _ = _assign([_claim(1)], [waiting])
    assert assignments == {"sub-1": "open-1"} and opened == []
    assert waiting.claim_ids == {"claim-9", "claim-1"}


@pytest.mark.parametrize(("waited_seconds", "due"), [(5, True), (1, False)])
def test_a_new_batch_ages_from_when_its_first_claim_was_queued(waited_seconds: float, due: bool) -> None:
    queued = ReadyClaim("sub-1", "claim-1", KEY, NOW - dt.timedelta(seconds=waited_seconds))
    _, opened, _ = _assign([queued])
    assert opened[0].opened_at == NOW - dt.timedelta(seconds=waited_seconds)
    assert opened[0].is_due(NOW, RULES) is due


def test_a_full_open_batch_takes_no_more_claims() -> None:
    full = OpenBatch("open-1", KEY, NOW, {"a", "b", "c"})
    assignments, opened, _ = _assign([_claim(1)], [full])
    assert assignments == {"sub-1": "batch-1"} and [b.batch_id for b in opened] == ["batch-1"]


@pytest.mark.parametrize(("age_seconds", "claims", "due"), [
    (5, 1, True),  # old enough
    (4.9, 1, False),  # not yet
    (0, 3, True),  # full
    (0, 2, False),  # room left, young
])
def test_a_batch_is_due_when_full_or_old(age_seconds: float, claims: int, due: bool) -> None:
    batch = OpenBatch("b", KEY, NOW - dt.timedelta(seconds=age_seconds),
                      {f"claim-{n}" for n in range(claims)})
    assert batch.is_due(NOW, RULES) is due
    assert due_batches([batch], NOW, RULES) == ([batch] if due else [])


@pytest.mark.parametrize(("max_claims", "max_age"), [(0, 1.0), (1, -1.0)])
def test_rules_that_cannot_work_are_refused(max_claims: int, max_age: float) -> None:
    with pytest.raises(InvalidBatchRules):
        BatchRules(max_claims, dt.timedelta(seconds=max_age))


def test_the_batch_key_follows_from_its_claim_versions_not_their_order() -> None:
    keys = [submission_key("claim-1", 1), submission_key("claim-2", 3)]
    assert batch_idempotency_key(keys) == batch_idempotency_key(list(reversed(keys)))
    assert batch_idempotency_key(keys) != batch_idempotency_key([submission_key("claim-1", 2), keys[1]])
    assert len(batch_idempotency_key(keys)) <= 100


def test_the_file_name_is_deterministic_per_interchange() -> None:
    assert batch_file_name("CLAIMLINE", 42) == "CLAIMLINE_000000042.837"
