"""Element conversions for the 835 parser: money, quantities, dates and composites.

Each check uses plain string methods (no regex per element) because the parser touches every
amount of a 10,000-claim file; Decimal alone would also accept '1e3', 'NaN' and '1_0'.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.remittance.domain.adjustment_codes import GROUP_CODES
from services.remittance.domain.era_model import Adjustment, ProcedureCode
from services.remittance.domain.errors import EraParseError

CAS_TRIPLES = 6
ONE = Decimal(1)


def _element_name(segment: list[str], position: int) -> str:
    return f"{segment[0]}{position:02d}"


def required(segment: list[str], position: int, index: int) -> str:
    """Element at position (1-based), or EraParseError when it is absent or empty."""
    value = segment[position] if position < len(segment) else ""
    if not value:
        raise EraParseError(f"{_element_name(segment, position)} is required", index, segment[0])
    return value


def _decimal(raw: str, segment: list[str], position: int, index: int) -> Decimal:
    body = raw[1:] if raw[:1] == "-" else raw
    digits = body.replace(".", "", 1)
    if not (digits.isdigit() and digits.isascii()):
        raise EraParseError(f"{_element_name(segment, position)} must be a decimal number", index, segment[0])
    return Decimal(raw)


def amount(segment: list[str], position: int, index: int) -> Decimal:
    """Required X12 R-type element as Decimal."""
    return _decimal(required(segment, position, index), segment, position, index)


def optional_amount(segment: list[str], position: int, index: int) -> Decimal | None:
    """Optional X12 R-type element as Decimal, None when empty or absent."""
    raw = segment[position] if position < len(segment) else ""
    return _decimal(raw, segment, position, index) if raw else None


def date(segment: list[str], position: int, index: int) -> dt.date:
    """Required CCYYMMDD date element."""
    value, problem = read_date(required(segment, position, index))
    if value is None:
        raise EraParseError(f"{_element_name(segment, position)} {problem}", index, segment[0])
    return value


def read_date(raw: str) -> tuple[dt.date | None, str]:
    """A CCYYMMDD value as a date, or None with why it is not one (the reason never quotes the value)."""
    if not raw:
        return None, "is absent"
    if len(raw) != 8 or not (raw.isdigit() and raw.isascii()):
        return None, "must be a CCYYMMDD date"
    try:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:])), ""
    except ValueError:
        return None, "is not a calendar date"


def procedure_code(raw: str, component: str, segment: list[str], position: int, index: int) -> ProcedureCode:
    """SVC01/SVC06 composite: qualifier, code, up to four modifiers (the description is dropped)."""
    parts = raw.split(component)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise EraParseError(
            f"{_element_name(segment, position)} must hold qualifier and code", index, segment[0]
        )
    return ProcedureCode(parts[0], parts[1], tuple(m for m in parts[2:6] if m))


def adjustments(segment: list[str], index: int) -> list[Adjustment]:
    """Every reason/amount/quantity triple of one CAS segment (CAS02-CAS19)."""
    group = required(segment, 1, index)
    if group not in GROUP_CODES:
        raise EraParseError("CAS01 must be a claim adjustment group code (CO, PR, OA, PI, CR)", index, "CAS")
    found = []
    for triple in range(CAS_TRIPLES):
        reason_at = 2 + 3 * triple
        reason = segment[reason_at] if reason_at < len(segment) else ""
        if not reason:
            if triple == 0:
                raise EraParseError("CAS02 is required", index, "CAS")
            if any(segment[reason_at + 1 : reason_at + 3]):
                raise EraParseError(f"CAS{reason_at:02d} is required with its amount", index, "CAS")
            continue
        found.append(
            Adjustment(
                group,
                reason,
                amount(segment, reason_at + 1, index),
                optional_amount(segment, reason_at + 2, index),
            )
        )
    if len(segment) > 2 + 3 * CAS_TRIPLES:
        raise EraParseError("CAS holds at most six adjustment triples", index, "CAS")
    return found
