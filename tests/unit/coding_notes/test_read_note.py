"""Reading a note: context (negation, history, hypotheticals, family, uncertainty), specificity, spans, bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from services.coding.domain.documentation import read_note
from services.coding.domain.documentation.code_releases import release_for
from services.coding.domain.documentation.conventions import drug_class
from services.coding.domain.documentation.note_words import phrase_words
from services.coding.domain.documentation.pipeline import concept_lexicon, expand_phrase
from services.coding.domain.documentation.reading import MAX_NOTE_WORDS
from services.coding.domain.documentation.tabular_terms import tabular_terms

DOS = dt.date(2025, 3, 14)
NOTES = sorted((Path(__file__).resolve().parents[3] / "bench" / "coding" / "notes").glob("*.json"))


def codes(note: str) -> set[str]:
    return {d.code for d in read_note(note, DOS).diagnoses}


def skipped(note: str) -> dict[str, str]:
    return {note[s.text_span.start:s.text_span.end].lower(): s.reason for s in read_note(note, DOS).skipped}


CONTEXT_CASES = [
    # (note, code, coded?, skipped phrase -> reason)
    ("Assessment: Chest pain, atypical features.", "R07.9", True, None),
    ("Assessment: Denies chest pain. Hypertension.", "R07.9", False, ("chest pain", "negated")),
    ("Assessment: Hypertension. No atrial fibrillation on ECG.", "I48.91", False, ("atrial fibrillation", "negated")),
    ("Assessment: Atrial fibrillation, rate controlled.", "I48.91", True, None),
    ("Assessment: Hypertension. Mother with atrial fibrillation.", "I48.91", False, ("atrial fibrillation", "family")),
    ("HPI: Knee pain.\nFamily History: type 2 diabetes.\nAssessment: Knee pain.", "E11.9", False,
     ("type 2 diabetes", "family")),
    ("Assessment: History of migraine. Low back pain.", "G43.909", False, ("migraine", "historical")),
    ("Assessment: Migraine, not intractable.", "G43.909", True, None),
    ("Assessment: Cough. Rule out pneumonia.", "J18.9", False, ("pneumonia", "uncertain")),
    ("Assessment: Community acquired pneumonia.", "J18.9", True, None),
    ("Assessment: Cough. Possible asthma.", "J45.909", False, ("asthma", "uncertain")),
    ("Assessment: Headache. If fever develops, return to clinic.", "R50.9", False, ("fever", "hypothetical")),
    ("Assessment: Fever for 2 days.", "R50.9", True, None),
    ("Assessment: Peripheral artery disease. Former smoker.", "Z87.891", True, None),
    ("Assessment: History of myocardial infarction, no angina.", "I25.2", True, None),
    ("Assessment: Depression is unlikely. Insomnia.", "F32.A", False, ("depression", "negated")),
]


@pytest.mark.parametrize(("note", "code", "coded", "skip"), CONTEXT_CASES)
def test_context_decides_what_is_coded(note: str, code: str, coded: bool, skip: tuple[str, str] | None) -> None:
    assert (code in codes(note)) is coded
    if skip:
        phrase, reason = skip
        assert skipped(note).get(phrase) == reason


SPECIFICITY_CASES = [
    ("Assessment: Type 2 diabetes.", {"E11.9"}),
    ("Assessment: Type 2 diabetes with hyperglycemia.", {"E11.65"}),
    ("Assessment: Type 2 diabetes with diabetic chronic kidney disease. Chronic kidney disease stage 3b.",
     {"E11.22", "N18.32"}),
    ("Assessment: Type 2 diabetes. Chronic kidney disease stage 3a.", {"E11.22", "N18.31"}),
    ("Assessment: Hypertension. Chronic kidney disease stage 4.", {"I12.9", "N18.4"}),
    ("Assessment: Hypertension. End stage renal disease.", {"I12.0", "N18.6"}),
    ("Assessment: Hypertension.", {"I10"}),
    ("Assessment: Hypertension. Chronic systolic heart failure.", {"I11.0", "I50.22"}),
    ("Assessment: Hypertension. Chronic diastolic heart failure. CKD stage 3.", {"I13.0", "I50.32", "N18.30"}),
    ("Assessment: Acute on chronic diastolic heart failure.", {"I50.33"}),
    ("Assessment: Heart failure.", {"I50.9"}),
    ("Assessment: Coronary artery disease with stable angina.", {"I25.118"}),
    ("Assessment: Coronary artery disease.", {"I25.10"}),
    ("Assessment: Major depressive disorder, recurrent, severe.", {"F33.2"}),
    ("Assessment: Major depressive disorder, single episode, mild.", {"F32.0"}),
    ("Assessment: Major depressive disorder, recurrent, in full remission.", {"F33.42"}),
    ("Assessment: Major depressive disorder.", {"F32.9"}),
    ("Assessment: Generalized anxiety disorder. Anxiety.", {"F41.1"}),
    ("Assessment: Anxiety.", {"F41.9"}),
    ("Assessment: Paroxysmal atrial fibrillation.", {"I48.0"}),
    ("Assessment: Longstanding persistent atrial fibrillation.", {"I48.11"}),
    ("Assessment: Permanent atrial fibrillation.", {"I48.21"}),
    ("Assessment: COPD with acute exacerbation.", {"J44.1"}),
    ("Assessment: COPD, stable.", {"J44.9"}),
    ("Assessment: Low back pain.", {"M54.50"}),
    ("Assessment: Osteoarthritis of the right knee.", {"M17.11"}),
    ("Assessment: Left knee osteoarthritis.", {"M17.12"}),
    ("Assessment: Bilateral knee osteoarthritis.", {"M17.0"}),
    ("Assessment: Knee osteoarthritis.", {"M17.9"}),
    ("Assessment: Closed fracture of the left distal radius, initial encounter.", {"S52.502A"}),
    ("Assessment: Right distal radius fracture, routine healing.", {"S52.501D"}),
    ("Assessment: Nondisplaced fracture of the right fifth metatarsal.", {"S92.354A"}),
    ("Assessment: Sprain of left ankle.", {"S93.402A"}),
    ("Assessment: Bilateral carpal tunnel syndrome.", {"G56.03"}),
    ("Assessment: Status post left total knee arthroplasty.", {"Z96.652"}),
    ("Assessment: Alcohol use disorder, mild.", {"F10.10"}),
    ("Assessment: Alcohol use disorder, severe, in early remission.", {"F10.21"}),
    ("Assessment: Fatigue due to iron deficiency anemia.", {"D50.9"}),
    ("Assessment: Acute cystitis with hematuria.", {"N30.01"}),
    ("Assessment: Acute cystitis. No hematuria.", {"N30.00"}),
    ("Assessment: R carpal tunnel syndrome.", {"G56.01"}),
    ("Assessment: Hx of TIA, no residual deficits.", {"Z86.73"}),
]


@pytest.mark.parametrize(("note", "expected"), SPECIFICITY_CASES)
def test_highest_specificity_the_text_supports(note: str, expected: set[str]) -> None:
    assert codes(note) == expected


def test_evidence_spans_are_exact_offsets_into_the_note() -> None:
    note = "HPI: Follow-up.\nAssessment and Plan:\n1. Essential hypertension, stable.\n2. Type 2 DM."
    reading = read_note(note, DOS)
    by_code = {d.code: d for d in reading.diagnoses}
    assert [note[s.start:s.end] for s in by_code["I10"].evidence] == ["Essential hypertension"]
    assert [note[s.start:s.end] for s in by_code["E11.9"].evidence] == ["Type 2 DM"]


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.stem)
def test_every_benchmark_span_is_a_lexicon_phrase_or_names_a_tabular_code(path: Path) -> None:
    phrases = {phrase_words(v) for c in concept_lexicon()["concepts"] for p in c["phrases"] for v in expand_phrase(p)}
    case = json.loads(path.read_text())
    note = case["note"]
    reading = read_note(note, DOS)
    spans = [s for d in reading.diagnoses for s in d.evidence] + [s.text_span for s in reading.skipped]
    for span in spans:
        assert 0 <= span.start < span.end <= len(note)
        words = phrase_words(note[span.start:span.end])
        drug = drug_class(note[span.start:span.end])  # Z79 evidence is the drug
        assert words in phrases or drug or tabular_terms().named(words, release_for(DOS)), note[span.start:span.end]
    for diagnosis in reading.diagnoses:
        assert 0 < diagnosis.confidence <= 1 and diagnosis.description


def test_assessment_section_gives_more_confidence_than_history() -> None:
    in_assessment = read_note("Assessment: Hypertension.", DOS).diagnoses[0]
    no_sections = read_note("Hypertension, on lisinopril.", DOS).diagnoses[0]
    assert in_assessment.confidence > no_sections.confidence
    unspecified = read_note("Assessment: Heart failure.", DOS).diagnoses[0]
    specific = read_note("Assessment: Chronic systolic heart failure.", DOS).diagnoses[0]
    assert specific.confidence > unspecified.confidence


def test_history_section_is_not_coded_when_the_note_has_an_assessment() -> None:
    note = "HPI: Asthma as a child.\nAssessment: Acute sinusitis."
    assert codes(note) == {"J01.90"}


BAD_NOTES = [None, "", "   \n\t", 42, b"Assessment: Hypertension.", "\x00\x01\x02binary\x03\x04", "12345 !!! 678",
             "x" * 100_001, ["Assessment: Hypertension."]]


def note_id(note: object) -> str:
    return f"{type(note).__name__}{len(note) if hasattr(note, '__len__') else ''}"  # type: ignore[arg-type]


@pytest.mark.parametrize("note", BAD_NOTES, ids=note_id)
def test_unusable_note_gives_a_reason_not_a_crash(note: object) -> None:
    reading = read_note(note, DOS)  # type: ignore[arg-type]
    assert reading.problems
    assert reading.diagnoses == () and reading.skipped == ()


def test_date_before_icd10_or_missing_gives_a_reason() -> None:
    assert "ICD-10-CM" in (read_note("Assessment: Hypertension.", dt.date(2015, 9, 30)).problems or "")
    assert read_note("Assessment: Hypertension.", None).problems  # type: ignore[arg-type]
    assert read_note("Assessment: Hypertension.", dt.date(2015, 10, 1)).problems is None


ODD_NOTES = ["Assessment:", "Plan: 🙂 ✓ — ° µg", "Assessment: ???", "Assessment: " + "pain " * 3000]


@pytest.mark.parametrize("note", ODD_NOTES)
def test_odd_but_readable_text_reads_without_crashing(note: str) -> None:
    reading = read_note(note, DOS)
    assert reading.problems is None


def test_a_note_of_more_words_than_the_reader_reads_goes_to_a_coder_unread() -> None:
    """Reading grows faster than the note; past the cap a coder reads it, and coding's batch does not wait."""
    dense = "Hypertension, asthma, gout, migraine. "
    over = read_note("Assessment: " + dense * (MAX_NOTE_WORDS // 4 + 1), DOS)
    assert over.problems == f"note has more than {MAX_NOTE_WORDS:,} words, more than the reader reads; a coder reads it"
    assert over.diagnoses == ()
    assert read_note("Assessment: " + dense * 200, DOS).problems is None


def test_a_failure_inside_the_pipeline_becomes_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.coding.domain.documentation import reading

    def broken(notes: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(reading, "parse_notes", broken)
    reading = read_note("Assessment: Hypertension.", DOS)
    assert reading.problems == "note could not be read (RuntimeError)" and reading.diagnoses == ()
