"""The encounter as the scrubber reads it: its JSON document, addressed by JSON pointers.

Edits read the document rather than the typed model on purpose: a claim being corrected, or one
validated under an older contract, may hold values today's Encounter refuses (repeated diagnoses,
dangling pointers), and `Encounter.model_construct` keeps such values as plain dicts and lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from shared.contracts.encounter import Encounter

ClaimDocument = Mapping[str, Any]


def claim_document(encounter: Encounter | ClaimDocument) -> ClaimDocument:
    """The encounter's JSON document (a model, even one built unvalidated, or an already-dumped dict)."""
    if isinstance(encounter, BaseModel):
        # warnings off: an unvalidated model may hold dicts where sub-models belong, which is the point.
        return encounter.model_dump(mode="json", warnings=False)
    return encounter


def value_at(document: Any, *path: str | int) -> Any:
    """The value at path, or None when any step is missing or of the wrong shape."""
    value = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or not 0 <= step < len(value):
                return None
            value = value[step]
        else:
            if not isinstance(value, Mapping):
                return None
            value = value.get(step)
    return value


def items(document: Any, *path: str | int) -> Iterator[tuple[int, Any]]:
    """(index, item) for the list at path; nothing when it is absent or not a list."""
    value = value_at(document, *path)
    if isinstance(value, list):
        yield from enumerate(value)


def as_date(value: Any) -> dt.date | None:
    """A date from an ISO string or a date, else None (an unreadable date is another edit's concern)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def as_decimal(value: Any) -> Decimal | None:
    """A Decimal from a number or numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def blank(value: Any) -> bool:
    """True when value is missing or an empty / whitespace-only string."""
    return value is None or (isinstance(value, str) and not value.strip())
