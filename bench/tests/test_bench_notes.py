"""Every lifecycle bench encounter is a visit of its own that flows without a human: its note is distinct,
and intake accepts it and coding confirms it (no review), so the bench measures the pipeline, not a queue."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bench.stack_access import encounter_for
from services.coding.adapters.coding_engines import load_coding_engines
from services.coding.domain.coding_decision import decide_coding
from services.intake.domain.validation import encounter_violations, latest_date_on_earth
from shared.contracts.encounter import Encounter

VISITS = 200


@pytest.fixture(scope="module")
def encounters() -> list[Encounter]:
    rng = random.Random(20261207)
    return [Encounter.model_validate(encounter_for(payer, "notes-test", rng))
            for payer in ("SIMPAY", "SIMACK") * (VISITS // 2)]


def test_every_encounter_carries_a_note_of_its_own_and_varied_problems(encounters: list[Encounter]) -> None:
    assert len({e.clinical_note for e in encounters}) == VISITS
    assert len({tuple(e.diagnoses) for e in encounters}) >= 20
    assert {e.service_lines[0].procedure_code for e in encounters} == {"99213", "99214"}


def test_intake_accepts_and_coding_confirms_every_one(encounters: list[Encounter]) -> None:
    today = latest_date_on_earth(dt.datetime.now(dt.UTC))
    engines = load_coding_engines()
    for encounter in encounters:
        assert list(encounter_violations(encounter, today=today)) == []
        decision = decide_coding(encounter, engines)
        assert not decision.needs_review, [f.edit_id for f in decision.findings if f.severity == "error"]
        assert {d.code for d in decision.diagnoses if d.source == "pms"} == set(encounter.diagnoses)
