"""Only the adjudication in force counts: a replacement supersedes the original's posting, a later payer's
patient share replaces the earlier one, a reversal gives back what its posting took out; append-only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.remittance.domain.adjudications import Adjudication, OffsetReason, PostedEntry, in_force, offsets_for
from services.remittance.domain.posting import entry_kind
from services.remittance.domain.posting_model import EntryKind, PostingEntry

from .ledger_scenarios import ClaimLedger, claim_payment

D = Decimal
# The SIMDNY scenario: 99214 185.00 + 80053 42.00, denied CO-4 / CO-50, the replacement paid at 0.80.
DENIED_V1 = claim_payment("4", [("P-1-1", "185.00", "0", "CO-4 185.00"), ("P-1-2", "42.00", "0", "CO-50 42.00")],
                          ccn="DNY1")
PAID_V2 = claim_payment("1", [("P-2-1", "185.00", "148.00", "CO-45 37.00"), ("P-2-2", "42.00", "33.60", "CO-45 8.40")],
                        ccn="DNY2", original_reference="DNY1")
# The brief's COB example: primary 104 paid, 47 written off, 76 to the patient; the secondary pays 60 of it.
PRIMARY = claim_payment("1", [("P-1-1", "227.00", "104.00", "CO-45 47.00, PR-2 76.00")], ccn="PRI1")
SECONDARY = claim_payment("2", [("P-2-1", "227.00", "60.00", "OA-23 151.00, PR-2 16.00")], ccn="SEC1")


def test_a_replacement_paid_after_the_original_was_denied_leaves_only_its_own_adjudication() -> None:
    ledger = ClaimLedger(D("227.00"))
    ledger.post("era-1", "SIMDNY", 1, DENIED_V1)
    assert ledger.figures() == ("0.00", "227.00", "0.00", "0.00")
    offsets = ledger.post("era-2", "SIMDNY", 2, PAID_V2)
    assert {(o.adjudication.era_id, o.reason) for o in offsets} == {("era-1", OffsetReason.SUPERSEDED)}
    assert sorted((o.entry.reason_code, str(o.entry.amount)) for o in offsets) == [("4", "-185.00"), ("50", "-42.00")]
    assert ledger.figures() == ("181.60", "45.40", "0.00", "0.00")


def test_a_late_answer_to_the_original_after_the_replacement_was_paid_is_superseded_as_it_posts() -> None:
    ledger = ClaimLedger(D("227.00"))
    ledger.post("era-2", "SIMDNY", 2, PAID_V2)
    offsets = ledger.post("era-1", "SIMDNY", 1, DENIED_V1)
    assert {(o.adjudication.era_id, o.reason) for o in offsets} == {("era-1", OffsetReason.SUPERSEDED)}
    assert ledger.figures() == ("181.60", "45.40", "0.00", "0.00")


def test_the_secondary_pays_part_of_the_patient_share_and_its_own_replaces_the_primarys() -> None:
    ledger = ClaimLedger(D("227.00"))
    ledger.post("era-1", "SIMACK", 1, PRIMARY)
    assert ledger.figures() == ("104.00", "47.00", "76.00", "0.00")
    offsets = ledger.post("era-2", "SIMSEC", 2, SECONDARY)
    assert [(o.adjudication.era_id, o.reason, o.entry.kind, str(o.entry.amount)) for o in offsets] == [
        ("era-1", OffsetReason.PATIENT_RESPONSIBILITY_REPLACED, EntryKind.COINSURANCE, "-76.00")]
    assert ledger.figures() == ("164.00", "47.00", "16.00", "0.00")
    assert ledger.prior_payer == D("151.00")  # posted, and counted nowhere else


def test_reversing_the_secondary_gives_the_patient_share_back_to_the_primarys() -> None:
    ledger = ClaimLedger(D("227.00"))
    ledger.post("era-1", "SIMACK", 1, PRIMARY)
    ledger.post("era-2", "SIMSEC", 2, SECONDARY)
    offsets = ledger.reverse("era-2")
    assert {o.reason for o in offsets} == {OffsetReason.REVERSAL}
    assert {o.adjudication.era_id for o in offsets} == {"era-1", "era-2"}
    assert ledger.figures() == ("104.00", "47.00", "76.00", "0.00") and ledger.prior_payer == 0


def test_reversing_the_replacement_puts_the_original_denial_back_in_force() -> None:
    ledger = ClaimLedger(D("227.00"))
    ledger.post("era-1", "SIMDNY", 1, DENIED_V1)
    ledger.post("era-2", "SIMDNY", 2, PAID_V2)
    ledger.reverse("era-2")
    assert ledger.figures() == ("0.00", "227.00", "0.00", "0.00")


def test_a_tertiary_replaces_the_secondarys_patient_share_not_the_primarys_twice() -> None:
    ledger = ClaimLedger(D("227.00"))
    ledger.post("era-1", "SIMACK", 1, PRIMARY)
    ledger.post("era-2", "SIMSEC", 2, SECONDARY)
    tertiary = claim_payment("3", [("P-3-1", "227.00", "16.00", "OA-23 211.00")], ccn="TER1")
    offsets = ledger.post("era-3", "SIMTER", 3, tertiary)
    assert [(o.adjudication.era_id, str(o.entry.amount)) for o in offsets] == [("era-2", "-16.00")]
    assert ledger.figures() == ("180.00", "47.00", "0.00", "0.00")


def _entry(kind: EntryKind, amount: str, group: str | None = None, reason: str | None = None) -> PostingEntry:
    return PostingEntry(kind, D(amount), None, "L-1", group, reason)


PRIMARY_AT = Adjudication("era-1", "PAYER-A", 1)
PRIMARY_POSTED = [PostedEntry(PRIMARY_AT, _entry(EntryKind.PAYMENT, "50.00")),
                  PostedEntry(PRIMARY_AT, _entry(EntryKind.CONTRACTUAL, "30.00", "CO", "45")),
                  PostedEntry(PRIMARY_AT, _entry(EntryKind.DEDUCTIBLE, "20.00", "PR", "1"))]
NEW_ENTRIES = [_entry(EntryKind.PAYMENT, "10.00")]

# (case, new adjudication (ERA payer, version), CLP02, reasons of the offsets and what they take out)
RULES = [
    ("replacement by the same payer supersedes everything", Adjudication("era-2", "PAYER-A", 2), "1",
     {(OffsetReason.SUPERSEDED, "era-1", "-50.00"), (OffsetReason.SUPERSEDED, "era-1", "-30.00"),
      (OffsetReason.SUPERSEDED, "era-1", "-20.00")}),
    ("a denied replacement supersedes too", Adjudication("era-2", "PAYER-A", 2), "4",
     {(OffsetReason.SUPERSEDED, "era-1", "-50.00"), (OffsetReason.SUPERSEDED, "era-1", "-30.00"),
      (OffsetReason.SUPERSEDED, "era-1", "-20.00")}),
    ("same payer, same version (a correction after a reversal) supersedes nothing",
     Adjudication("era-2", "PAYER-A", 1), "1", set()),
    ("another payer on the version billed to it replaces the patient share only",
     Adjudication("era-2", "PAYER-B", 2), "2", {(OffsetReason.PATIENT_RESPONSIBILITY_REPLACED, "era-1", "-20.00")}),
    ("another payer on a crossover of the same version replaces the patient share",
     Adjudication("era-2", "PAYER-B", 1), "2", {(OffsetReason.PATIENT_RESPONSIBILITY_REPLACED, "era-1", "-20.00")}),
    ("the same payer as secondary on a later version (CLP02=2) replaces the patient share",
     Adjudication("era-2", "PAYER-A", 2), "2", {(OffsetReason.PATIENT_RESPONSIBILITY_REPLACED, "era-1", "-20.00")}),
    ("the same payer as secondary on the same version replaces nothing", Adjudication("era-2", "PAYER-A", 1), "2",
     set()),
    ("a reversal appends no offsets of its own here", Adjudication("era-2", "PAYER-A", 2), "22", set()),
    ("an older version than the same payer's in force is superseded itself", Adjudication("era-0", "PAYER-A", 0),
     "1", {(OffsetReason.SUPERSEDED, "era-0", "-10.00")}),
    ("another payer's older version replaces nothing and stays", Adjudication("era-0", "PAYER-B", 0), "1", set()),
]


@pytest.mark.parametrize(("case", "new", "status", "expected"), RULES, ids=[r[0] for r in RULES])
def test_offset_rules(case: str, new: Adjudication, status: str, expected: set) -> None:
    offsets = offsets_for(new, status, NEW_ENTRIES, PRIMARY_POSTED)
    assert {(o.reason, o.adjudication.era_id, str(o.entry.amount)) for o in offsets} == expected


def test_an_adjudication_whose_entries_net_to_zero_is_no_longer_in_force() -> None:
    offset = [PostedEntry(PRIMARY_AT, _entry(e.entry.kind, str(-e.entry.amount), e.entry.group_code,
                                             e.entry.reason_code)) for e in PRIMARY_POSTED]
    assert set(in_force(PRIMARY_POSTED)) == {PRIMARY_AT}
    assert in_force(PRIMARY_POSTED + offset) == {}


# (group, CARC, ledger bucket): CARC 23 is the prior payers' part in any non-PR group, nothing else is.
KINDS = [
    ("OA", "23", EntryKind.PRIOR_PAYER),
    ("CO", "23", EntryKind.PRIOR_PAYER),
    ("OA", "94", EntryKind.OTHER_ADJUSTMENT),
    ("CO", "45", EntryKind.CONTRACTUAL),
    ("PR", "23", EntryKind.OTHER_PATIENT_RESPONSIBILITY),
]


@pytest.mark.parametrize(("group", "reason", "kind"), KINDS)
def test_carc_23_is_the_prior_payers_part(group: str, reason: str, kind: EntryKind) -> None:
    assert entry_kind(group, reason) is kind
