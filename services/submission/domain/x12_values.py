"""Turning domain values into X12 element text: amounts, quantities, dates, names and identifiers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from services.submission.domain.errors import ClaimNotRepresentable
from shared.x12.tokenizer import Delimiters

# The delimiters every file we write declares in its ISA; they may not appear inside any value.
DELIMITERS = Delimiters(element="*", component=":", repetition="^", segment="~")
_DELIMITER_CHARS = frozenset("*:^~")

# Free text is upper-cased into the X12 basic character set: every receiver accepts it.
_OUTSIDE_BASIC_TEXT = re.compile(r"""[^A-Z0-9!"&'()+,\-./;?= ]""")
# Identifiers are never rewritten, only checked, against the 5010 extended set.
_EXTENDED_IDENTIFIER = re.compile(r"""^[A-Za-z0-9!"&'()+,\-./;?= %@\[\]_{}\\|<>#$`]+$""")
CENTS = Decimal("0.01")


def segment(segment_id: str, *elements: str) -> list[str]:
    """One segment as [id, element1, ...] with trailing empty elements dropped, as X12 requires."""
    values = list(elements)
    while values and values[-1] == "":
        values.pop()
    return [segment_id, *values]


def composite(*components: str) -> str:
    """Join components with the component separator, dropping trailing empty ones."""
    values = list(components)
    while values and values[-1] == "":
        values.pop()
    return DELIMITERS.component.join(values)


def x12_decimal(value: Decimal) -> str:
    """A decimal as an X12 R value: plain notation, no exponent, trailing fractional zeros removed."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def x12_amount(value: Decimal) -> str:
    """Money rounded half-up to cents and written as an X12 R value (185.00 -> 185, 42.50 -> 42.5)."""
    return x12_decimal(value.quantize(CENTS, rounding=ROUND_HALF_UP))


def x12_date(value: dt.date) -> str:
    """CCYYMMDD (D8)."""
    return value.strftime("%Y%m%d")


def x12_time(value: dt.datetime) -> str:
    """HHMM."""
    return value.strftime("%H%M")


def x12_text(value: str, field: str, max_length: int) -> str:
    """Free text (names, addresses) folded to upper-case basic X12 characters; raises if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").upper()
    cleaned = " ".join(_OUTSIDE_BASIC_TEXT.sub(" ", ascii_text).split())[:max_length].rstrip()
    if not cleaned:
        raise ClaimNotRepresentable(f"{field} has no characters X12 can carry")
    return cleaned


def x12_identifier(value: str, field: str, max_length: int, min_length: int = 1) -> str:
    """An identifier written exactly as given; raises when it cannot be carried unchanged."""
    if not min_length <= len(value) <= max_length:
        raise ClaimNotRepresentable(f"{field} must be {min_length}-{max_length} characters")
    if (
        value != value.strip()
        or _DELIMITER_CHARS.intersection(value)
        or not _EXTENDED_IDENTIFIER.match(value)
    ):
        raise ClaimNotRepresentable(f"{field} holds characters X12 cannot carry")
    return value
