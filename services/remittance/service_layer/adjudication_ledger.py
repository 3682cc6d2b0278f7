"""Between the store and domain/adjudications and domain/claim_versions: which version a claim payment
answers, the claim's posted entries as the rules see them, and the ledger rows a posting appends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from services.remittance.domain.adjudications import Adjudication, Offset, OffsetReason, PostedEntry
from services.remittance.domain.claim_versions import BilledVersion, version_answered
from services.remittance.domain.era_model import ClaimPayment
from services.remittance.domain.line_matching import BilledLine
from services.remittance.domain.posting_model import EntryKind, PostingEntry


def billed_lines_of(billed: dict) -> list[BilledLine]:
    """The billed claim's (or version's) lines as the domain matches them."""
    return [BilledLine(line_control_number=line["line_control_number"], procedure_code=line["procedure_code"],
                       modifiers=tuple(line["modifiers"]), units=Decimal(str(line["units"])),
                       charge=Decimal(str(line["charge"])),
                       service_date=dt.date.fromisoformat(line["date_of_service"])) for line in billed["lines"]]


def billed_version(billed: dict, versions: list[dict[str, Any]], posted_versions: Mapping[str, int],
                   claim: ClaimPayment) -> dict:
    """The billed claim as the version this claim payment answers: that version's number, payer and lines.

    versions are the claim's billed_claim_versions rows; posted_versions maps each posted CLP07 to the
    version it answered."""
    if not versions:  # billed before versions were kept (migration 0004 copies the latest, so rarely)
        return billed
    choices = [BilledVersion(r["claim_version"], r["payer_id"], r["frequency_code"], tuple(billed_lines_of(r)))
               for r in versions]
    chosen = version_answered(claim, choices, posted_versions)
    row = next(r for r in versions if r["claim_version"] == chosen.claim_version)
    return billed | {key: row[key] for key in ("claim_version", "payer_id", "lines", "billed", "submission_id")}


def posted_versions_of(payments: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Payer claim control number (CLP07) of each posted claim payment -> the version it answered."""
    return {p["payer_claim_control_number"]: p["claim_version"] for p in payments
            if p["payer_claim_control_number"] is not None and p["claim_version"] is not None}


def adjudication_of(row: dict[str, Any]) -> Adjudication:
    """The adjudication a ledger row belongs to: the one it offsets, else its own ERA's."""
    return Adjudication(str(row["offsets_era_id"] or row["era_id"]), row["payer_identifier"], row["claim_version"])


def posted_entries(rows: Iterable[dict[str, Any]]) -> list[PostedEntry]:
    return [PostedEntry(adjudication_of(row), _entry(row)) for row in rows]


def offsets_appended_by(rows: Iterable[dict[str, Any]]) -> list[Offset]:
    """The offsets one ERA's posting appended (not its reversals): what reversing that posting gives back."""
    return [Offset(adjudication_of(row), OffsetReason(row["offset_reason"]), _entry(row)) for row in rows
            if row["offsets_era_id"] is not None and row["offset_reason"] != OffsetReason.REVERSAL]


def entry_rows(claim_id: str, tenant_id: str, era_id: str, adjudication: Adjudication,
               entries: Iterable[PostingEntry]) -> list[dict[str, Any]]:
    """ledger_entries rows of a posting's own entries."""
    return [_row(claim_id, tenant_id, era_id, adjudication, entry, None) for entry in entries]


def offset_rows(claim_id: str, tenant_id: str, era_id: str, offsets: Iterable[Offset]) -> list[dict[str, Any]]:
    """ledger_entries rows of offsets appended by the posting of era_id."""
    return [_row(claim_id, tenant_id, era_id, o.adjudication, o.entry, o.reason) for o in offsets]


def _row(claim_id: str, tenant_id: str, era_id: str, adjudication: Adjudication, entry: PostingEntry,
         reason: OffsetReason | None) -> dict[str, Any]:
    return {"claim_id": claim_id, "tenant_id": tenant_id, "era_id": era_id,
            "line_control_number": entry.line_control_number, "kind": entry.kind.value,
            "group_code": entry.group_code, "reason_code": entry.reason_code, "amount": entry.amount,
            "payer_identifier": adjudication.payer_identifier, "claim_version": adjudication.claim_version,
            "offsets_era_id": None if reason is None else adjudication.era_id,
            "offset_reason": None if reason is None else reason.value}


def _entry(row: dict[str, Any]) -> PostingEntry:
    return PostingEntry(EntryKind(row["kind"]), row["amount"], None, row["line_control_number"],
                        row["group_code"], row["reason_code"])
