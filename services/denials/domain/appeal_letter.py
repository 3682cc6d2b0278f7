"""What an appeal letter says: the claim facts, the denial reason and the coding evidence (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.denials.domain.classification import carc_table, rarc_table

LEVEL_TITLES = {"first": "Request for redetermination (first-level appeal)",
                "second": "Request for reconsideration (second-level appeal)",
                "external": "Request for external review"}


@dataclass(frozen=True)
class AppealLetter:
    title: str
    facts: list[tuple[str, str]]
    lines: list[tuple[str, str, str, str]]  # line control number, procedure, modifiers, charge
    reasons: list[str]
    evidence: list[str]
    request: str


def _reason(code: str) -> str:
    group, _, carc = code.partition("-")
    entry = carc_table().get(carc)
    return f"{code}: {entry['description']}" if entry else f"{code}: code not in our table"


def _evidence(coding: dict[str, Any] | None) -> list[str]:
    if coding is None:
        return ["The coding record was not available when this letter was produced; the medical record is "
                "available on request."]
    found = []
    for kind in ("diagnoses", "procedures"):
        for item in coding.get(kind) or []:
            if isinstance(item, dict):
                found.append(f"{kind[:-2] if kind == 'diagnoses' else 'procedure'} {item.get('code', '?')} "
                             f"(source: {item.get('source', 'unknown')})")
    for edit in coding.get("edits") or []:
        if isinstance(edit, dict) and edit.get("edit_id"):
            found.append(f"coding edit {edit['edit_id']} reviewed: {edit.get('message', '')}".strip())
    return found or ["The coding record lists no codes for this claim."]


def compose_letter(*, level: str, denial: dict[str, Any], facts: dict[str, Any] | None,
                   coding: dict[str, Any] | None, deadline: dt.date, today: dt.date) -> AppealLetter:
    """The letter's content; the caller renders it (PDF)."""
    rows = [("Date", today.isoformat()), ("Payer", denial["payer_id"]), ("Claim id", denial["claim_id"]),
            ("Remittance", denial["era_id"]), ("Denied amount", f"{denial['denied_amount']:.2f}"),
            ("Denial category", denial["category"].replace("_", " ")), ("Appeal deadline", deadline.isoformat())]
    lines: list[tuple[str, str, str, str]] = []
    if facts is not None:
        rows += [("Patient control number", facts["patient_control_number"]),
                 ("Billing provider NPI", facts["billing_provider_npi"]),
                 ("Total charge", f"{facts['total_charge']:.2f}")]
        lines = [(line.get("line_control_number", ""), line.get("procedure_code", ""),
                  ",".join(line.get("modifiers") or []) or "-", str(line.get("charge", ""))) for line in facts["lines"]]
    reasons = [_reason(code) for code in denial["reason_codes"]]
    reasons += [f"{r}: {rarc_table()[r]['description']}" if r in rarc_table() else f"{r}: remark not in our table"
                for r in denial["remark_codes"]]
    request = ("We ask the payer to reconsider this denial and pay the claim as billed. The services were "
               "medically necessary, documented and coded as the evidence below shows. "
               f"Our analysis of the denial: {denial['root_cause']}.")
    return AppealLetter(LEVEL_TITLES[level], rows, lines, reasons, _evidence(coding), request)
