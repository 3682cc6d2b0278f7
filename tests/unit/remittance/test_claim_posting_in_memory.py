"""Claim payments of one file post in memory against the claim's book, each seeing the ones before it:
a reversal finds the payment it reverses earlier in the same file, and the claim ends where the last left it."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from services.remittance.domain import adjustment_codes as codes
from services.remittance.service_layer.claim_posting import ClaimBook, EraPosting, PostingBatch, post_claim
from tests.unit.remittance.ledger_scenarios import claim_payment

D = Decimal
CLAIM_ID = "6f1c1d2e-8a53-4c39-9b1e-0e1f0c3a9d11"
LINES = [("PCN1-1", "150.00", "100.00", "CO-45 50.00")]


def book() -> ClaimBook:
    billed = {"claim_id": CLAIM_ID, "tenant_id": "practice-a", "payer_id": "SIMPAY", "claim_version": 1,
              "billed": D("150.00"), "submission_id": "s-1", "status": "submitted", "lines": [
                  {"line_control_number": "PCN1-1", "procedure_code": "99213", "modifiers": [], "units": "1",
                   "charge": "150.00", "date_of_service": "2026-11-20"}]}
    return ClaimBook(billed, [], [], [], None)


def era(era_id: str, claims: list) -> EraPosting:
    remittance = SimpleNamespace(claims=claims, trace=SimpleNamespace(originating_company_id="1990000009"),
                                 payer=SimpleNamespace(identifier="SIMPAY", name="SIM PAYER"))
    files = {(f"delivery-{era_id}", 0): remittance}
    return EraPosting(era_id, f"delivery-{era_id}", 0, remittance, lambda d, i: files[(d, i)])  # type: ignore[arg-type]


def test_a_payment_its_reversal_and_the_correction_in_one_file_post_in_order() -> None:
    paid = claim_payment("1", LINES, ccn="CCN1")
    reversal = claim_payment(codes.STATUS_REVERSAL, [("PCN1-1", "150.00", "100.00", "CO-45 50.00")], ccn="CCN1")
    corrected = claim_payment("1", [("PCN1-1", "150.00", "90.00", "CO-45 60.00")], ccn="CCN2")
    claim_book, batch = book(), PostingBatch()
    posting = era("e1", [paid, reversal, corrected])
    assert [post_claim(claim_book, batch, posting, i, c) for i, c in enumerate(posting.remittance.claims)] == \
        [True, True, True]

    assert [r["status_code"] for r in batch.era_claims] == ["1", "22", "1"]
    assert [e.data["claim_status"] for e, _trace in batch.events] == ["paid", "reversed", "paid"]
    assert batch.statuses == {CLAIM_ID: ("paid", False)}  # one row per claim: the last in force
    net: dict[str, Decimal] = {}
    for row in batch.entries:
        net[row["kind"]] = net.get(row["kind"], D(0)) + row["amount"]
    assert (net["payment"], net["contractual"]) == (D("90.00"), D("60.00"))  # only the correction is left
    assert claim_book.ledger == batch.entries and len(claim_book.payments) == 3


def test_a_second_reversal_of_the_same_payment_is_held_not_posted() -> None:
    paid = claim_payment("1", LINES, ccn="CCN1")
    reversal = claim_payment(codes.STATUS_REVERSAL, LINES, ccn="CCN1")
    claim_book, batch = book(), PostingBatch()
    posting = era("e1", [paid, reversal, reversal])
    assert [post_claim(claim_book, batch, posting, i, c) for i, c in enumerate(posting.remittance.claims)] == \
        [True, True, False]
    held = batch.era_claims[-1]
    assert (held["posted"], held["claim_id"]) == (False, CLAIM_ID)
    assert "no posted payment of this payer claim control number is left to reverse" in held["hold_reason"]
    assert len(batch.events) == 2


def test_a_later_file_reverses_a_payment_read_from_the_claims_book() -> None:
    paid = claim_payment("1", LINES, ccn="CCN1")
    claim_book, first = book(), PostingBatch()
    earlier = era("e1", [paid])
    assert post_claim(claim_book, first, earlier, 0, paid)
    later, batch = era("e2", [claim_payment(codes.STATUS_REVERSAL, LINES, ccn="CCN1")]), PostingBatch()
    later = EraPosting("e2", "delivery-e2", 0, later.remittance,
                       lambda d, i: earlier.remittance if d == "delivery-e1" else later.remittance)
    assert post_claim(claim_book, batch, later, 0, later.remittance.claims[0])
    assert batch.statuses == {CLAIM_ID: ("reversed", False)}
    assert {row["offsets_era_id"] for row in batch.entries} == {"e1"}
    assert sum(row["amount"] for row in claim_book.ledger) == 0
