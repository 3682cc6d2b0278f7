"""Encounters for tests, built from the public example."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from shared.contracts.encounter import EXAMPLE


def example_encounter() -> dict[str, Any]:
    """The handout's example encounter (the project keeps a copy; a unit test holds them equal)."""
    return copy.deepcopy(EXAMPLE)


def encounter_for(payer_id: str, **changes: Any) -> dict[str, Any]:
    """A valid encounter billed to payer_id with a unique external id."""
    encounter = example_encounter()
    encounter["external_id"] = f"T-{payer_id}-{uuid.uuid4().hex[:12]}"
    encounter["coverages"][0]["payer"]["payer_id"] = payer_id
    encounter.update(changes)
    return encounter
