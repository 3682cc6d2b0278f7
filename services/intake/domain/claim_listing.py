"""Listing a tenant's claims: filters and the opaque cursor over (created_at, claim_id), newest first."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from shared.errors import DomainError

MAX_PAGE = 200


class InvalidCursor(DomainError):
    """The cursor was not one this API handed out."""


class InvalidFilter(DomainError):
    """The list filters contradict each other."""


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last claim's creation time and id (ids break ties)."""

    created_at: dt.datetime
    claim_id: str


@dataclass(frozen=True)
class ClaimFilters:
    status: str | None = None
    payer_id: str | None = None
    external_id: str | None = None
    date_of_service_from: dt.date | None = None
    date_of_service_to: dt.date | None = None

    def __post_init__(self) -> None:
        if self.date_of_service_from and self.date_of_service_to \
                and self.date_of_service_from > self.date_of_service_to:
            raise InvalidFilter("date_of_service_from is after date_of_service_to")


def encode_cursor(position: Position) -> str:
    """An opaque, URL-safe cursor; clients must not build or read it."""
    raw = json.dumps([position.created_at.isoformat(), position.claim_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor stands for, or InvalidCursor."""
    try:
        created_at, claim_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = Position(dt.datetime.fromisoformat(created_at), str(uuid.UUID(claim_id)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidCursor("the cursor is not one this API returned") from None
    if position.created_at.tzinfo is None:
        raise InvalidCursor("the cursor is not one this API returned")
    return position
