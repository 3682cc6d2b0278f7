"""Match an 835 claim's service lines to the lines we billed, strongest evidence first.

Passes run over all lines in order of evidence so a weak match can never take a billed line that
another service line identifies exactly: REF*6R line control number, then code + modifiers + units
+ date, then code + date + charge (the payer dropped or changed a modifier). When the payer changed
the code, SVC06 holds what we billed and is matched instead of SVC01. Reversal lines carry negative
charges and units, so amounts are compared by magnitude.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.remittance.domain.era_model import STATEMENT_PERIOD_START, ClaimPayment, ServiceLine


@dataclass(frozen=True, slots=True)
class BilledLine:
    """A service line as we sent it in the 837 (2400 loop)."""

    line_control_number: str
    procedure_code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal
    service_date: dt.date


class MatchMethod(StrEnum):
    LINE_CONTROL_NUMBER = "line_control_number"
    CODE_MODIFIERS_UNITS_DATE = "code_modifiers_units_date"
    CODE_DATE_CHARGE = "code_date_charge"  # modifiers differ: dropped or changed by the payer


@dataclass(frozen=True, slots=True)
class LineMatch:
    """A paid service line (index in ClaimPayment.lines) and the billed line it pays."""

    line_index: int
    billed: BilledLine
    method: MatchMethod
    code_changed: bool  # the payer adjudicated another code than we billed (SVC06 present)


@dataclass(frozen=True, slots=True)
class UnmatchedLine:
    """A paid service line no billed line fits, with the billed lines that come closest."""

    line_index: int
    candidates: tuple[BilledLine, ...]


@dataclass(frozen=True, slots=True)
class LineMatching:
    matches: tuple[LineMatch, ...]
    unmatched: tuple[UnmatchedLine, ...]
    unpaid_billed_lines: tuple[BilledLine, ...]  # billed but absent from this 835 claim

    def match_for(self, line_index: int) -> LineMatch | None:
        """The match of the service line at line_index, if it has one."""
        return next((m for m in self.matches if m.line_index == line_index), None)


@dataclass(frozen=True, slots=True)
class _AsBilled:
    """What a service line says about the line we billed (SVC06/SVC07 when the payer changed them)."""

    control_number: str | None
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal
    service_date: dt.date | None


def match_lines(claim: ClaimPayment, billed_lines: Sequence[BilledLine]) -> LineMatching:
    """Pair each service line of claim with one billed line; report what stays unpaired."""
    fallback_date = claim.dates.get(STATEMENT_PERIOD_START)
    as_billed = [_as_billed(line, fallback_date) for line in claim.lines]
    unclaimed = list(billed_lines)
    found: dict[int, tuple[BilledLine, MatchMethod]] = {}
    passes: list[tuple[MatchMethod, Callable[[_AsBilled, BilledLine], bool]]] = [
        (MatchMethod.LINE_CONTROL_NUMBER, _same_control_number),
        (MatchMethod.CODE_MODIFIERS_UNITS_DATE, _same_code_modifiers_units_date),
        (MatchMethod.CODE_DATE_CHARGE, _same_code_date_charge),
    ]
    for method, fits in passes:
        for index, paid in enumerate(as_billed):
            if index in found:
                continue
            billed = next((b for b in unclaimed if fits(paid, b)), None)
            if billed is not None:
                found[index] = (billed, method)
                unclaimed.remove(billed)
    matches = tuple(
        LineMatch(index, billed, method, claim.lines[index].submitted_procedure is not None)
        for index, (billed, method) in sorted(found.items())
    )
    unmatched = tuple(
        UnmatchedLine(index, _candidates(claim.lines[index], paid, unclaimed))
        for index, paid in enumerate(as_billed)
        if index not in found
    )
    return LineMatching(matches, unmatched, tuple(unclaimed))


def _as_billed(line: ServiceLine, fallback_date: dt.date | None) -> _AsBilled:
    procedure = line.submitted_procedure or line.procedure
    units = line.submitted_units if line.submitted_units is not None else line.units
    return _AsBilled(
        line.control_number,
        procedure.code,
        tuple(sorted(procedure.modifiers)),
        abs(units),
        abs(line.charge),
        line.service_date or fallback_date,
    )


def _same_date(paid: _AsBilled, billed: BilledLine) -> bool:
    # A line with no date of its own (and no claim statement date) cannot contradict any date.
    return paid.service_date is None or paid.service_date == billed.service_date


def _same_control_number(paid: _AsBilled, billed: BilledLine) -> bool:
    return paid.control_number is not None and paid.control_number == billed.line_control_number


def _same_code_modifiers_units_date(paid: _AsBilled, billed: BilledLine) -> bool:
    return (
        paid.code == billed.procedure_code
        and paid.modifiers == tuple(sorted(billed.modifiers))
        and paid.units == billed.units
        and _same_date(paid, billed)
    )


def _same_code_date_charge(paid: _AsBilled, billed: BilledLine) -> bool:
    return paid.code == billed.procedure_code and paid.charge == billed.charge and _same_date(paid, billed)


def _candidates(line: ServiceLine, paid: _AsBilled, unclaimed: list[BilledLine]) -> tuple[BilledLine, ...]:
    """Unclaimed billed lines sharing a code with the line, else sharing its date and charge."""
    codes = {paid.code, line.procedure.code}
    same_code = tuple(b for b in unclaimed if b.procedure_code in codes)
    if same_code:
        return same_code
    return tuple(b for b in unclaimed if _same_date(paid, b) and b.charge == paid.charge)
