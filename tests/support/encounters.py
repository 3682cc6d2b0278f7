"""Encounters for tests, built from the public example."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

from shared.contracts.encounter import EXAMPLE


def example_encounter() -> dict[str, Any]:
    """The handout's example encounter (the project keeps a copy; a unit test holds them equal)."""
    return copy.deepcopy(EXAMPLE)


# A claim a practice sends today: dated a week ago, inside the ICD-10-CM release covering today.
CODED_DATE_OF_SERVICE = (dt.date.today() - dt.timedelta(days=7)).isoformat()


def days_after_service(days: int) -> str:
    """A date `days` after CODED_DATE_OF_SERVICE (negative: before), for stays and multi-day claims."""
    return (dt.date.fromisoformat(CODED_DATE_OF_SERVICE) + dt.timedelta(days=days)).isoformat()


def encounter_for(payer_id: str, **changes: Any) -> dict[str, Any]:
    """A valid encounter billed to payer_id with a unique external id, dated a week ago."""
    encounter = example_encounter()
    encounter["external_id"] = f"T-{payer_id}-{uuid.uuid4().hex[:12]}"
    encounter["date_of_service"] = CODED_DATE_OF_SERVICE
    encounter["coverages"][0]["payer"]["payer_id"] = payer_id
    encounter.update(changes)
    return encounter
