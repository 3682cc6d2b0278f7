"""The CMS place-of-service code set, shipped as data beside this module, and its rule."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from services.intake.domain.validation.violations import Violation, pointer

_DATA = Path(__file__).with_name("places_of_service.json")


@dataclass(frozen=True)
class PlaceOfService:
    """One CMS place-of-service code, its name and the first date of service it may be used on."""

    code: str
    name: str
    effective: dt.date | None = None


@cache
def places_of_service() -> dict[str, PlaceOfService]:
    """Every assigned place-of-service code by code (read once)."""
    document = json.loads(_DATA.read_text())
    return {entry["code"]: PlaceOfService(entry["code"], entry["name"],
                                          dt.date.fromisoformat(entry["effective"]) if "effective" in entry else None)
            for entry in document["codes"]}


def place_of_service_violations(code: str, date_of_service: dt.date) -> list[Violation]:
    """The code must be an assigned CMS place of service in effect on the date of service."""
    place = places_of_service().get(code)
    if place is None:
        return [Violation(pointer("place_of_service"), "is not an assigned CMS place-of-service code")]
    if place.effective is not None and date_of_service < place.effective:
        return [Violation(pointer("place_of_service"),
                          f"was not in effect before {place.effective.isoformat()} (the date of service is earlier)")]
    return []
