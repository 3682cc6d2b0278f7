"""Which payer adjudications are in force on a claim, and the offsets a new one appends to take others out.

A claim's ledger is append-only: an adjudication that takes another's place never edits its entries, it
appends offsets (the same kind, group, CARC and line, negated) naming the adjudication they offset and why.
An adjudication is in force while its entries and their offsets do not net to zero. Rules:

- superseded: a payer's adjudication of a later claim version (a replacement, frequency 7, or the claim
  sent again) processed as primary takes the place of that payer's adjudications of earlier versions; the
  payer adjudicated the new version instead, so the earlier payment, write-offs and patient share all
  leave the ledger. An adjudication of an earlier version that arrives while the same payer's later one is
  in force is superseded at once.
- patient responsibility replaced: a later payer in coordination of benefits (another payer's ERA, on a
  crossover of the same version or on the version billed to it; or the same payer processing a later
  version as secondary/tertiary, CLP02 2/3/20/21, two plans of one insurer) decides what the patient still
  owes: earlier payers' patient responsibility leaves the ledger, their payments and write-offs stay. An
  adjudication never replaces one of a later version.
- reversal: a CLP02=22 negates the entries of the posting it reverses, and every offset that posting
  appended, so what it had taken out is in force again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.remittance.domain import adjustment_codes as codes
from services.remittance.domain.posting_model import PATIENT_KINDS, PostingEntry


class OffsetReason(StrEnum):
    SUPERSEDED = "superseded"  # the same payer adjudicated a later version of the claim
    PATIENT_RESPONSIBILITY_REPLACED = "patient_responsibility_replaced"  # a later payer decided the patient share
    REVERSAL = "reversal"  # a CLP02=22 undid the posting


@dataclass(frozen=True, slots=True)
class Adjudication:
    """One posted claim payment: its ERA, the payer that sent it (the ERA's TRN03 / N1*PR id) and the claim
    version it answered (None: not known, posted before versions were kept)."""

    era_id: str
    payer_identifier: str | None
    claim_version: int | None

    def is_earlier_version_than(self, other: Adjudication) -> bool:
        """An unknown version counts as the earliest."""
        return (self.claim_version or 0) < (other.claim_version or 0)

    def same_payer(self, other: Adjudication) -> bool:
        """Unknown payers (entries posted before payers were recorded) count as the same payer."""
        mine, theirs = self.payer_identifier, other.payer_identifier
        return mine is None or theirs is None or mine == theirs


@dataclass(frozen=True, slots=True)
class PostedEntry:
    """A ledger row as the rules see it: the adjudication it belongs to (its own, or the one it offsets)."""

    adjudication: Adjudication
    entry: PostingEntry


@dataclass(frozen=True, slots=True)
class Offset:
    """An entry to append: takes (part of) an adjudication out of the ledger, saying which and why."""

    adjudication: Adjudication
    reason: OffsetReason
    entry: PostingEntry


def in_force(posted: Sequence[PostedEntry]) -> dict[Adjudication, list[PostingEntry]]:
    """Net entries per adjudication (by kind, group, CARC and line), leaving out what nets to zero."""
    net: dict[Adjudication, dict[tuple, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in posted:
        e = row.entry
        net[row.adjudication][(e.kind, e.group_code, e.reason_code, e.line_control_number)] += e.amount
    result: dict[Adjudication, list[PostingEntry]] = {}
    for adjudication, amounts in net.items():
        entries = [PostingEntry(kind, amount, None, line, group, reason)
                   for (kind, group, reason, line), amount in amounts.items() if amount]
        if entries:
            result[adjudication] = entries
    return result


def offsets_for(new: Adjudication, status_code: str, new_entries: Sequence[PostingEntry],
                posted: Sequence[PostedEntry]) -> list[Offset]:
    """The offsets posting `new` (not a reversal) appends, by the rules in this module's docstring."""
    if status_code == codes.STATUS_REVERSAL:
        return []
    offsets: list[Offset] = []
    current = in_force(posted)
    later_payer_now = status_code in codes.STATUS_LATER_PAYER
    if not later_payer_now and any(new.is_earlier_version_than(other) and other.same_payer(new) for other in current):
        return [Offset(new, OffsetReason.SUPERSEDED, e.negated()) for e in new_entries]
    for other, entries in current.items():
        if other == new or new.is_earlier_version_than(other):
            continue
        earlier, other_payer = other.is_earlier_version_than(new), _other_payer(new, other)
        if other_payer or (earlier and later_payer_now):
            offsets += [Offset(other, OffsetReason.PATIENT_RESPONSIBILITY_REPLACED, e.negated())
                        for e in entries if e.kind in PATIENT_KINDS]
        elif earlier:
            offsets += [Offset(other, OffsetReason.SUPERSEDED, e.negated()) for e in entries]
    return offsets


def reversal_offsets(reversed_adjudication: Adjudication, reversed_entries: Sequence[PostingEntry],
                     its_offsets: Sequence[Offset]) -> list[Offset]:
    """A reversal's entries: the reversed posting's entries and every offset it appended, negated."""
    return ([Offset(reversed_adjudication, OffsetReason.REVERSAL, e.negated()) for e in reversed_entries]
            + [Offset(o.adjudication, OffsetReason.REVERSAL, o.entry.negated()) for o in its_offsets])


def _other_payer(new: Adjudication, other: Adjudication) -> bool:
    return not new.same_payer(other)
