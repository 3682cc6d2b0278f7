"""The batch reader: one pipeline pass over a consumed batch, identical notes read once, order kept, bad notes
named without failing the batch, and the coding engines expose it."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

import pytest

from services.coding.adapters.coding_engines import LoadedCodingEngines, load_coding_engines
from services.coding.domain.coding_decision import assess_coding, decide_coding, read_notes_of
from services.coding.domain.coding_policy import DEFAULT_POLICY, CodingPolicy
from services.coding.domain.documentation import read_note, read_notes, reading
from shared.contracts.encounter import Encounter
from tests.support.encounters import encounter_for

DOS = dt.date(2025, 3, 14)
NOTES = sorted((Path(__file__).resolve().parents[3] / "bench" / "coding" / "notes").glob("*.json"))[:12]


def codes(result: object) -> list[str]:
    return [d.code for d in result.diagnoses]  # type: ignore[attr-defined]


def test_a_batch_reads_each_note_as_reading_it_alone_would_in_order() -> None:
    cases = [json.loads(path.read_text()) for path in NOTES]
    batch = read_notes([(case["note"], dt.date.fromisoformat(case["date_of_service"])) for case in cases])
    alone = [read_note(case["note"], dt.date.fromisoformat(case["date_of_service"])) for case in cases]
    assert [codes(r) for r in batch] == [codes(r) for r in alone]
    assert batch == alone


def test_identical_notes_in_a_batch_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed_batches: list[int] = []
    real = reading.parse_notes

    def counting(notes: list[tuple[str, object]]) -> object:
        parsed_batches.append(len(notes))
        return real(notes)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "parse_notes", counting)
    note = "Assessment: Essential hypertension, stable. Type 2 diabetes, continue metformin."
    other = "Assessment: Acute sinusitis. Amoxicillin-clavulanate for 7 days."
    results = read_notes([(note, DOS), (other, DOS), (note, DOS), (note, DOS)])
    assert parsed_batches == [2]
    assert codes(results[0]) == codes(results[2]) == codes(results[3]) == ["I10", "E11.9", "Z79.84"]
    assert codes(results[1]) == ["J01.90"]


def test_the_same_note_under_two_releases_is_read_under_each() -> None:
    note = "Assessment: Plantar fasciitis, right foot."
    fy2026, fy2027 = read_notes([(note, dt.date(2026, 9, 30)), (note, dt.date(2026, 10, 1))])
    assert codes(fy2026) == ["M72.2"] and codes(fy2027) == ["M67.A01"]


def test_an_unreadable_note_in_a_batch_is_named_and_the_others_are_read() -> None:
    results = read_notes([("", DOS), ("Assessment: Hypertension.", DOS), ("\x00\x01", DOS),
                          ("Assessment: Hypertension.", None)])  # type: ignore[list-item]
    assert [r.problems is not None for r in results] == [True, False, True, True]
    assert codes(results[1]) == ["I10"]


def test_a_batch_the_pipeline_fails_on_is_read_note_by_note(monkeypatch: pytest.MonkeyPatch) -> None:
    real = reading.parse_notes

    def fails_on_batches(notes: list[tuple[str, object]]) -> object:
        if len(notes) > 1:
            raise RuntimeError("one bad note in the batch")
        if "poison" in notes[0][0]:
            raise ValueError("this note")
        return real(notes)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "parse_notes", fails_on_batches)
    results = read_notes([("Assessment: Hypertension.", DOS), ("Assessment: poison.", DOS)])
    assert codes(results[0]) == ["I10"]
    assert results[1].problems == "note could not be read (ValueError)"


def test_the_loaded_engines_read_a_batch_with_the_batch_reader_or_note_by_note() -> None:
    calls: list[str] = []

    def one(note: str, date_of_service: dt.date) -> str:
        calls.append("one")
        return note

    def batch(notes: object) -> list[str]:
        calls.append("batch")
        return [note for note, _ in notes]  # type: ignore[attr-defined]

    with_batch = LoadedCodingEngines(lambda e: [], [], one, None, read_notes=batch)  # type: ignore[arg-type]
    assert with_batch.read_notes([("a", DOS), ("b", DOS)]) == ["a", "b"] and calls == ["batch"]
    calls.clear()
    without = LoadedCodingEngines(lambda e: [], [], one, None)  # type: ignore[arg-type]
    assert without.read_notes([("a", DOS), ("b", DOS)]) == ["a", "b"] and calls == ["one", "one"]


@functools.cache
def loaded_engines() -> LoadedCodingEngines:
    return load_coding_engines()


@pytest.mark.parametrize("policy", [DEFAULT_POLICY, CodingPolicy(hold_undercoding=True)])
def test_every_bench_claim_coded_in_one_batch_is_coded_as_it_would_be_alone(policy: CodingPolicy) -> None:
    """The consumer's path (one read_notes over the batch, decisions before the policy, the policy applied after)
    against decide_coding claim by claim, on every benchmark note (some twice: identical notes are read once)."""
    engines = loaded_engines()
    paths = sorted((Path(__file__).resolve().parents[3] / "bench" / "coding").glob("*/*.json"))
    cases = [json.loads(path.read_text()) for path in paths]
    claims = [Encounter.model_validate(encounter_for(
        "SIMPAY", clinical_note=case["note"], date_of_service=case["date_of_service"])) for case in cases]
    claims += claims[:10]
    batch = [assess_coding(claim, engines, note).under(policy)
             for claim, note in zip(claims, read_notes_of(claims, engines), strict=True)]
    assert batch == [decide_coding(claim, engines, policy) for claim in claims]
    assert {d.note_status for d in batch} == {"read"}
