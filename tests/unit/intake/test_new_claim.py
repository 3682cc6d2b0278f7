"""A new claim's first event: its JSON written once, unescaped, and refused above what a claim event may weigh."""

from __future__ import annotations

import json

import pytest

from services.intake.domain.claim import MAX_EVENT_BYTES, EncounterTooLarge, receive_encounter
from shared.contracts.encounter import Encounter
from tests.support.encounters import encounter_for


def test_the_payload_is_the_event_as_its_contract_reads_it() -> None:
    encounter = Encounter.model_validate(encounter_for("SIMPAY"))
    claim = receive_encounter("t-1", encounter)
    data = json.loads(claim.payload)
    assert data["external_id"] == encounter.external_id
    assert Encounter.model_validate(data["encounter"]) == encounter
    assert claim.received.type == "claim.received" and claim.received.subject == claim.claim_id


def test_a_note_of_emoji_is_carried_as_utf8_not_escaped() -> None:
    """100,000 emoji are 400 KB as UTF-8 and 1.2 MB ASCII-escaped: over the broker's record limit."""
    document = encounter_for("SIMPAY")
    document["clinical_note"] = "\N{GRINNING FACE}" * 100_000
    claim = receive_encounter("t-1", Encounter.model_validate(document))
    assert len(claim.payload) < 450_000
    assert b"\\ud83d" not in claim.payload


def test_an_encounter_heavier_than_a_claim_event_may_be_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    document = encounter_for("SIMPAY")
    document["clinical_note"] = "x" * 90_000
    encounter = Encounter.model_validate(document)
    monkeypatch.setattr("services.intake.domain.claim.MAX_EVENT_BYTES", 64 * 1024)
    with pytest.raises(EncounterTooLarge, match="at most 65536"):
        receive_encounter("t-1", encounter)
    assert MAX_EVENT_BYTES == 512 * 1024
