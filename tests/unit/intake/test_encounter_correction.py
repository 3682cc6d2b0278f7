"""Correcting a claim's encounter: a stale revision or a changed external id is refused; ETags read back."""

from __future__ import annotations

import pytest

from services.intake.domain.encounter_correction import (
    EncounterIdentityChanged,
    EncounterRevisionMismatch,
    correct_encounter,
    revision_etag,
    revision_from_if_match,
)
from shared.contracts.encounter import Encounter
from tests.unit.intake.documents import professional

STORED = Encounter.model_validate(professional())


def _corrected(**changes: object) -> Encounter:
    document = professional()
    document.update(changes)
    return Encounter.model_validate(document)


def test_a_correction_of_the_current_revision_is_recorded() -> None:
    corrected = _corrected(diagnoses=["E11.65", "I10", "Z79.4"])
    event = correct_encounter(2, 2, STORED, corrected, "added the long-term insulin use")
    assert event.encounter == corrected and event.reason == "added the long-term insulin use"


@pytest.mark.parametrize(("current", "expected"), [(2, 1), (1, 2)])
def test_a_correction_of_another_revision_is_refused(current: int, expected: int) -> None:
    with pytest.raises(EncounterRevisionMismatch) as moved:
        correct_encounter(current, expected, STORED, _corrected(), "fix")
    assert moved.value.current == current


def test_the_external_id_cannot_change() -> None:
    with pytest.raises(EncounterIdentityChanged):
        correct_encounter(1, 1, STORED, _corrected(external_id="ENC-OTHER"), "fix")


@pytest.mark.parametrize(("header", "revision"), [
    ('"3"', 3), ('W/"3"', 3), ("3", 3), ('"abc"', None), ('"*"', None), ("", None),
])
def test_if_match_names_a_revision(header: str, revision: int | None) -> None:
    assert revision_from_if_match(header) == revision


def test_etag_round_trips() -> None:
    assert revision_from_if_match(revision_etag(7)) == 7
