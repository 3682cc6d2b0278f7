"""An in-memory claim ledger posted the way service_layer/claim_posting does, for the adjudication rules' tests:
a claim payment's own entries plus the offsets domain/adjudications decides, append-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from services.remittance.domain import adjustment_codes as codes
from services.remittance.domain.adjudications import (
    Adjudication,
    Offset,
    PostedEntry,
    offsets_for,
    reversal_offsets,
)
from services.remittance.domain.era_model import Adjustment, ClaimPayment, ProcedureCode, Reference, ServiceLine
from services.remittance.domain.posting import post_claim_payment
from services.remittance.domain.posting_model import PATIENT_KINDS, EntryKind, PostingEntry

D = Decimal
ZERO = D("0.00")


def cas(text: str) -> list[Adjustment]:
    """'CO-45 47.00, PR-2 76' as adjustments."""
    found = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        code, amount = part.split()
        group, reason = code.split("-")
        found.append(Adjustment(group, reason, D(amount)))
    return found


def claim_payment(status: str, lines: list[tuple[str, str, str, str]], ccn: str = "CCN1",
                  original_reference: str | None = None, claim_adjustments: str = "") -> ClaimPayment:
    """A CLP with lines (control number, charge, paid, 'GROUP-CARC amount, ...')."""
    services = [ServiceLine(0, ProcedureCode("HC", "99213"), D(charge), D(paid), "", D(1), None, None,
                            adjustments=cas(adjustments), references=[Reference("6R", number)] if number else [])
                for number, charge, paid, adjustments in lines]
    charge = sum((s.charge for s in services), ZERO)
    paid = sum((s.paid for s in services), ZERO)
    sign = -1 if status == codes.STATUS_REVERSAL else 1
    payment = ClaimPayment(0, None, "PCN1", status, charge * sign, paid * sign, None, "12", ccn, "11", "1",
                           adjustments=cas(claim_adjustments), lines=services,
                           references=[Reference("F8", original_reference)] if original_reference else [])
    return payment


@dataclass
class ClaimLedger:
    """One claim's ledger rows as (adjudication it belongs to, entry, offset reason or None)."""

    billed: Decimal
    rows: list[tuple[Adjudication, PostingEntry, object]] = field(default_factory=list)
    offsets_by_era: dict[str, list[Offset]] = field(default_factory=dict)
    entries_by_era: dict[str, tuple[Adjudication, tuple[PostingEntry, ...]]] = field(default_factory=dict)

    def post(self, era_id: str, payer_id: str, version: int, claim: ClaimPayment) -> list[Offset]:
        """Post a claim payment (not a reversal); returns the offsets it appended."""
        adjudication = Adjudication(era_id, payer_id, version)
        entries = post_claim_payment(claim, []).entries
        posted = [PostedEntry(a, e) for a, e, _ in self.rows]
        offsets = offsets_for(adjudication, claim.status_code, entries, posted)
        self.rows += [(adjudication, e, None) for e in entries] + [(o.adjudication, o.entry, o.reason) for o in offsets]
        self.offsets_by_era[era_id] = offsets
        self.entries_by_era[era_id] = (adjudication, entries)
        return offsets

    def reverse(self, era_id: str) -> list[Offset]:
        """A CLP02=22 of the posting of era_id."""
        adjudication, entries = self.entries_by_era[era_id]
        offsets = reversal_offsets(adjudication, entries, self.offsets_by_era[era_id])
        self.rows += [(o.adjudication, o.entry, o.reason) for o in offsets]
        return offsets

    def _sum(self, kinds: set[EntryKind]) -> Decimal:
        return sum((e.amount for _, e, _ in self.rows if e.kind in kinds), ZERO)

    @property
    def paid(self) -> Decimal:
        return self._sum({EntryKind.PAYMENT})

    @property
    def patient(self) -> Decimal:
        return self._sum(set(PATIENT_KINDS))

    @property
    def prior_payer(self) -> Decimal:
        return self._sum({EntryKind.PRIOR_PAYER})

    @property
    def written_off(self) -> Decimal:
        return self._sum(set(EntryKind) - PATIENT_KINDS - {EntryKind.PAYMENT, EntryKind.PRIOR_PAYER})

    @property
    def insurance_balance(self) -> Decimal:
        return self.billed - self.paid - self.written_off - self.patient

    def figures(self) -> tuple[str, str, str, str]:
        """(paid, written off, patient responsibility, insurance balance) as strings."""
        return (str(self.paid), str(self.written_off), str(self.patient), str(self.insurance_balance))
