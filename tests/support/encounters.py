"""Encounters for tests, built from the public example."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "encounter.json"
_LOCAL_COPY = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "encounters" / "demo-pay-1.json"


def example_encounter() -> dict[str, Any]:
    """The handout example when it sits beside the checkout, else the demo copy of it."""
    source = EXAMPLE if EXAMPLE.exists() else _LOCAL_COPY
    return json.loads(source.read_text())


def encounter_for(payer_id: str, **changes: Any) -> dict[str, Any]:
    """A valid encounter billed to payer_id with a unique external id."""
    encounter = copy.deepcopy(example_encounter())
    encounter["external_id"] = f"T-{payer_id}-{uuid.uuid4().hex[:12]}"
    encounter["coverages"][0]["payer"]["payer_id"] = payer_id
    encounter.update(changes)
    return encounter
