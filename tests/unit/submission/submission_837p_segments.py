"""Reading emitted 837P text back into segments and claim blocks; the example claim tests start from."""

from __future__ import annotations

import json
from pathlib import Path

from services.submission.domain import BillableClaim
from shared import contracts
from shared.contracts.encounter import Encounter
from shared.x12.tokenizer import split_segments

# The project keeps a copy of the handout example; a unit test holds the two equal.
EXAMPLE_ENCOUNTER = Path(contracts.__file__).with_name("encounter_example.json")


def example_encounter(**changes: object) -> Encounter:
    """The shared example encounter with top-level fields replaced."""
    document = json.loads(EXAMPLE_ENCOUNTER.read_text())
    document.update(changes)
    return Encounter.model_validate(document)


def example_claim(
    pcn: str = "PCN1001", frequency: str = "1", payer_ccn: str | None = None, **changes: object
) -> BillableClaim:
    """A billable claim around the example encounter, lines numbered PCN-1, PCN-2, ..."""
    encounter = example_encounter(**changes)
    lines = [f"{pcn}-{n}" for n in range(1, len(encounter.service_lines) + 1)]
    return BillableClaim(pcn, frequency, encounter, lines, payer_claim_control_number=payer_ccn)


def segments_of(text: str) -> list[list[str]]:
    """Every segment of an interchange as a list of elements."""
    return split_segments(text)[1]


def blocks_by_control_number(segments: list[list[str]]) -> dict[str, list[list[str]]]:
    """Claim blocks keyed by CLM01 (the writer orders claims by billing provider, not input order)."""
    return {block[0][1]: block for block in claim_blocks(segments)}


def claim_blocks(segments: list[list[str]]) -> list[list[list[str]]]:
    """Each claim's segments: from its CLM up to the next HL or SE."""
    blocks: list[list[list[str]]] = []
    collecting = False
    for seg in segments:
        if seg[0] == "CLM":
            blocks.append([])
            collecting = True
        elif seg[0] in ("HL", "SE"):
            collecting = False
        if collecting:
            blocks[-1].append(seg)
    return blocks
