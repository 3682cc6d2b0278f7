"""Encounters for tests, built from the public example."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from shared.contracts.encounter import EXAMPLE


def example_encounter() -> dict[str, Any]:
    """The handout's example encounter (the project keeps a copy; a unit test holds them equal)."""
    return copy.deepcopy(EXAMPLE)


# The newest ICD-10-CM release the project ships is FY2026 (to 2026-09-30); coding sends a claim dated
# later to a coder ("no code set loaded"), so encounters meant to flow straight through are dated in it.
CODED_DATE_OF_SERVICE = "2026-09-15"


def encounter_for(payer_id: str, **changes: Any) -> dict[str, Any]:
    """A valid encounter billed to payer_id with a unique external id, dated inside the shipped code sets."""
    encounter = example_encounter()
    encounter["external_id"] = f"T-{payer_id}-{uuid.uuid4().hex[:12]}"
    encounter["date_of_service"] = CODED_DATE_OF_SERVICE
    encounter["coverages"][0]["payer"]["payer_id"] = payer_id
    encounter.update(changes)
    return encounter
