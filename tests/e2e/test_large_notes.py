"""A note as large as the contract allows flows like any other claim: its events are carried as UTF-8, not
ASCII-escaped (100,000 emoji were 1.2 MB escaped, over the broker's record limit, and the relay's every
batch failed behind that one row, for every tenant of the service)."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import post_encounter
from tests.e2e.polling import eventually
from tests.support.encounters import encounter_for


async def test_an_encounter_with_a_note_of_100000_emoji_is_coded_and_billed(
        api: httpx.AsyncClient, stack: dict[str, str]) -> None:
    encounter = encounter_for("SIMACK")
    encounter["clinical_note"] = "\N{GRINNING FACE}" * 100_000
    response = await post_encounter(api, stack, encounter)
    assert response.status_code == 202, response.text
    claim_id = response.json()["claim_id"]

    async def sources() -> set[str]:
        events = (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}/events")).json()["events"]
        return {event["source"] for event in events}

    # coding read the claim.received intake published, and intake read what coding published back
    await eventually(sources, lambda seen: {"intake", "coding"} <= seen, "the claim to pass through coding",
                     timeout=120)
