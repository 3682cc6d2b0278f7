"""NCCI edits: procedure-to-procedure pairs on the same day and medically unlikely units."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from services.coding.domain.codesets import BYPASS_MODIFIERS, EM_BYPASS_MODIFIERS, PtpEdit, em_family
from services.coding.domain.coding_claim import CodedLine, CodingClaim
from services.coding.domain.edits.model import CodingEdit, edit
from services.coding.domain.edits.reference import CodingReference


def _bypassed(pair: PtpEdit, column1: CodedLine, column2: CodedLine) -> bool:
    """True when a modifier lets both codes be paid (indicator 1 only)."""
    if BYPASS_MODIFIERS & (set(column1.modifiers) | set(column2.modifiers)):
        return True
    return em_family(pair.column2) is not None and bool(EM_BYPASS_MODIFIERS & set(column2.modifiers))


def _ptp_finding(pair: PtpEdit, column1: CodedLine, column2: CodedLine, release: str) -> CodingEdit | None:
    codes, numbers = (pair.column1, pair.column2), (column1.line_number, column2.line_number)
    source = f"{release}: {pair.rationale}" if pair.rationale else release
    if pair.modifier_indicator == "0":
        return edit("COD-NCCI-PTP-0",
                    f"{pair.column2} is not payable with {pair.column1} on the same day (NCCI PTP, modifier "
                    "indicator 0: no modifier bypasses it); remove one.", source, codes, numbers)
    if pair.modifier_indicator == "1" and not _bypassed(pair, column1, column2):
        return edit("COD-NCCI-PTP-1",
                    f"{pair.column2} is bundled into {pair.column1} on the same day (NCCI PTP, modifier indicator 1); "
                    "if the services were distinct, append 59 or XE, XS, XP, XU (or 25 on the E/M) as documented.",
                    source, codes, numbers)
    return None  # indicator 9: the edit was deleted and is not applied


def ptp_edits(claim: CodingClaim, reference: CodingReference) -> list[CodingEdit]:
    """Pairs in force on the lines' date for which the claim carries no valid bypass."""
    found = []
    for first in claim.lines:
        for second in claim.lines:
            day = claim.line_date(first)
            if first is second or first.procedure_code == second.procedure_code or day != claim.line_date(second):
                continue
            pair = reference.ptp.edit_for(first.procedure_code, second.procedure_code, day)
            if pair and (finding := _ptp_finding(pair, first, second, reference.ptp.release)):
                found.append(finding)
    return found


def mue_edits(claim: CodingClaim, reference: CodingReference) -> list[CodingEdit]:
    """Units above the MUE: per line for MAI 1, summed over the day's lines for MAI 2 and 3."""
    table = reference.mue
    per_day: dict[tuple[str, dt.date], list[CodedLine]] = defaultdict(list)
    for line in claim.lines:
        per_day[(line.procedure_code, claim.line_date(line))].append(line)
    found = []
    for (code, _), lines in per_day.items():
        value = table.values.get(code)
        if value is None:
            continue
        groups = [lines] if value.per_day else [[line] for line in lines]
        for group in groups:
            units = sum(line.units for line in group)
            if units > value.max_units:
                scope = "per day" if value.per_day else "per line"
                found.append(edit(
                    "COD-NCCI-MUE",
                    f"{code} is billed for {units:g} units; its medically unlikely edit allows {value.max_units} "
                    f"{scope} ({value.adjudication_text}).",
                    f"{table.release}: {value.rationale}" if value.rationale else table.release,
                    (code,), tuple(line.line_number for line in group)))
    return found
