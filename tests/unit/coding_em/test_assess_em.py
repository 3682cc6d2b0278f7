"""E/M level from the note: each level by MDM and by time, verdicts, context that must not count, bad input."""

from __future__ import annotations

import pytest

from services.coding.domain.evaluation_management import assess_em

STRAIGHTFORWARD = "Assessment: Common cold. Rest."
LOW = "Assessment and Plan: Acute upper respiratory infection. Acetaminophen over the counter."
MODERATE = ("Data: A1c reviewed. Basic metabolic panel reviewed.\nAssessment and Plan:\n1. Hypertension, stable. "
            "Continue lisinopril.\n2. Type 2 diabetes, stable. Order lipid panel.")
HIGH = ("Data: BNP reviewed. Basic metabolic panel reviewed. Chest x-ray ordered.\nAssessment and Plan:\n"
        "Acute on chronic systolic heart failure, severe exacerbation. Case discussed with the hospitalist. "
        "Decision made to admit to the hospital.")

BY_MDM = [
    (STRAIGHTFORWARD, "99212", "99212", ("minimal", "minimal", "minimal")),
    (STRAIGHTFORWARD, "99202", "99202", ("minimal", "minimal", "minimal")),
    (LOW, "99213", "99213", ("low", "minimal", "low")),
    (LOW, "99203", "99203", ("low", "minimal", "low")),
    (MODERATE, "99214", "99214", ("moderate", "moderate", "moderate")),
    (MODERATE, "99204", "99204", ("moderate", "moderate", "moderate")),
    (HIGH, "99215", "99215", ("high", "high", "high")),
    (HIGH, "99205", "99205", ("high", "high", "high")),
]


@pytest.mark.parametrize(("note", "billed", "supported", "levels"), BY_MDM)
def test_each_level_by_mdm(note: str, billed: str, supported: str, levels: tuple[str, str, str]) -> None:
    assessment = assess_em(note, billed)
    assert assessment is not None
    assert (assessment.problems_level, assessment.data_level, assessment.risk_level) == levels
    assert assessment.supported_code == supported and assessment.basis == "mdm"
    assert assessment.verdict == "supported"


@pytest.mark.parametrize(("minutes", "billed", "supported"), [
    (10, "99212", "99212"), (20, "99213", "99213"), (30, "99214", "99214"), (40, "99215", "99215"),
    (15, "99202", "99202"), (30, "99203", "99203"), (45, "99204", "99204"), (60, "99205", "99205"),
    (39, "99215", "99214"), (59, "99205", "99204"),
])
def test_each_level_by_total_time(minutes: int, billed: str, supported: str) -> None:
    note = f"{STRAIGHTFORWARD}\nTotal time spent on the date of the encounter: {minutes} minutes."
    assessment = assess_em(note, billed)
    assert assessment is not None
    assert assessment.total_minutes == minutes
    assert assessment.supported_code == supported
    assert assessment.basis == ("time" if supported not in ("99212", "99202") else "mdm")


def test_time_below_the_lowest_threshold_falls_back_to_mdm() -> None:
    assessment = assess_em(f"{LOW}\nTotal time 8 minutes.", "99213")
    assert assessment is not None and assessment.basis == "mdm" and assessment.supported_code == "99213"


def test_mdm_wins_when_higher_than_time() -> None:
    assessment = assess_em(f"{HIGH}\nI spent a total of 22 minutes on the date of the encounter.", "99215")
    assert assessment is not None and assessment.basis == "mdm" and assessment.supported_code == "99215"


def test_overcoded_and_undercoded_verdicts_with_plain_reasons() -> None:
    over = assess_em(LOW, "99215")
    under = assess_em(MODERATE, "99213")
    assert over is not None and over.verdict == "overcoded" and over.supported_code == "99213"
    assert "99215" in over.reason and "higher" in over.reason
    assert under is not None and under.verdict == "undercoded" and under.supported_code == "99214"
    assert "lower" in under.reason


def test_reason_carries_no_note_text() -> None:
    assessment = assess_em("HPI: Zebulon.\nAssessment: Paroxysmal atrial fibrillation. Continue apixaban.", "99214")
    assert assessment is not None
    assert "Zebulon" not in assessment.reason and "apixaban" not in assessment.reason


@pytest.mark.parametrize(("plan", "risk"), [
    ("Hypertension, stable. Continue lisinopril.", "moderate"),
    ("Hypertension, stable. No prescription changes.", "minimal"),
    ("Hypertension, stable. Prescription renewed.", "moderate"),
    ("Hypertension, stable. If chest pain develops, go to the emergency department.", "minimal"),
    ("Hypertension, stable. Send to the emergency department now.", "high"),
    ("Hypertension, stable. Consider starting lisinopril next visit.", "minimal"),
    ("Hypertension, stable. Unable to afford medications.", "moderate"),
])
def test_risk_counts_only_what_is_really_done(plan: str, risk: str) -> None:
    assessment = assess_em(f"Assessment and Plan: {plan}", "99213")
    assert assessment is not None and assessment.risk_level == risk


@pytest.mark.parametrize(("data", "level"), [
    ("MRI lumbar spine ordered. CBC ordered. TSH ordered.", "moderate"),
    ("No x-ray needed. CBC ordered.", "minimal"),
    ("CBC reviewed. TSH reviewed.", "low"),
    ("History obtained from his daughter as independent historian.", "low"),
    ("ECG from urgent care personally reviewed and independently interpreted.", "moderate"),
    ("If symptoms persist, will obtain MRI. CBC ordered.", "minimal"),
])
def test_data_counts_unique_tests_documents_and_categories(data: str, level: str) -> None:
    assessment = assess_em(f"Assessment and Plan: Low back pain. {data}", "99213")
    assert assessment is not None and assessment.data_level == level


@pytest.mark.parametrize(("plan", "problems"), [
    ("Hypertension, stable.", "low"),
    ("Hypertension, uncontrolled.", "moderate"),
    ("Hypertension, stable. Denies depression.", "low"),
    ("Hypertension, stable. Hyperlipidemia, stable.", "moderate"),
    ("Palpitations, etiology unclear.", "moderate"),
    ("Palpitations.", "low"),
    ("Closed fracture of the right distal radius.", "moderate"),
    ("Fracture of the right distal radius, routine healing.", "low"),
    ("Major depressive disorder, recurrent, moderate. Suicidal ideation.", "high"),
    ("Major depressive disorder, recurrent, moderate. Denies suicidal ideation.", "low"),
])
def test_problems_from_the_assessment(plan: str, problems: str) -> None:
    assessment = assess_em(f"Assessment and Plan: {plan}", "99213")
    assert assessment is not None and assessment.problems_level == problems


@pytest.mark.parametrize("code", ["99232", "G0438", "", "abc", "99201"])
def test_not_office_em_returns_none(code: str) -> None:
    assert assess_em(MODERATE, code) is None


@pytest.mark.parametrize("note", [None, "", "  ", 17, "\x00\x01\x02"])
def test_unusable_note_is_not_assessable(note: object) -> None:
    assessment = assess_em(note, "99214")  # type: ignore[arg-type]
    assert assessment is not None
    assert assessment.verdict == "not_assessable" and assessment.supported_code is None and assessment.basis == "none"
    assert assessment.reason


def test_note_without_problems_or_time_is_not_assessable_but_supports_a_nurse_visit() -> None:
    note = "Blood pressure check by nurse. Reading 128/80."
    assert assess_em(note, "99213").verdict == "not_assessable"  # type: ignore[union-attr]
    nurse = assess_em(note, "99211")
    assert nurse is not None and nurse.verdict == "supported" and nurse.supported_code == "99211"


def test_evidence_points_into_the_note() -> None:
    assessment = assess_em(MODERATE, "99214")
    assert assessment is not None and assessment.evidence
    texts = {MODERATE[s.start:s.end] for s in assessment.evidence}
    assert {"Hypertension", "lisinopril", "lipid panel"} <= texts
