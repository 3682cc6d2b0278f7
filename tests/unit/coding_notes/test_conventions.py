"""The Official Guidelines' conventions that decide a code beyond the words it is named by."""

from __future__ import annotations

import datetime as dt

import pytest

from services.coding.domain.documentation import read_note

FY2026 = dt.date(2026, 3, 2)
FY2027 = dt.date(2026, 11, 2)


def codes(note: str, date: dt.date = FY2026) -> set[str]:
    reading = read_note(note, date)
    assert reading.problems is None
    return {d.code for d in reading.diagnoses}


CONVENTION_CASES = [
    # history and family history: the condition's history code, never the condition
    ("Assessment: Hypertension. Father had colon cancer at 60.", {"I10", "Z80.0"}),
    ("Assessment: Migraine. Her mother has multiple sclerosis.", {"G43.909", "Z82.0"}),
    ("Assessment: History of breast cancer, no recurrence on mammogram.", {"Z85.3"}),
    ("Assessment: Hx of prostate cancer s/p prostatectomy; PSA undetectable.", {"Z85.46"}),
    ("Assessment: Family history of rheumatoid arthritis. Knee osteoarthritis.", {"Z82.61", "M17.9"}),
    # long-term drug therapy (Z79) for current drugs of a class, not short courses, not with type 1 diabetes
    ("Assessment: Type 2 diabetes. Continue metformin and insulin glargine.", {"E11.9", "Z79.84", "Z79.4"}),
    ("Assessment: Type 1 diabetes. Continue insulin glargine.", {"E10.9"}),
    ("Assessment: Persistent atrial fibrillation. Continue apixaban.", {"I48.19", "Z79.01"}),
    ("Assessment: COPD with acute exacerbation. Prednisone 40 mg for 5 days.", {"J44.1"}),
    ("Assessment: Bipolar II disorder. Continue lithium; TSH for lithium toxicity monitoring.",
     {"F31.81", "Z79.899"}),
    ("Assessment: Bipolar II disorder. Continue lithium.", {"F31.81"}),
    # uncertain diagnoses are not coded, their symptoms are
    ("Assessment: Chronic cough, likely cough-variant asthma.", {"R05.3"}),
    ("Assessment: Chest pain, likely musculoskeletal vs GERD.", {"R07.9"}),
    # symptoms integral to a confirmed diagnosis are not coded...
    ("Assessment: Acute suppurative otitis media of the right ear with fever.", {"H66.001"}),
    # ...unless the diagnosis's instructional note asks for them (N40.1: use additional code)
    ("HPI: Nocturia twice a night and a weak urinary stream.\nAssessment: BPH with LUTS; start tamsulosin.",
     {"N40.1", "R35.1", "R39.12"}),
    # a bilateral condition with only right and left codes gets both
    ("Assessment: Bilateral shoulder pain for 6 weeks.", {"M25.511", "M25.512"}),
    # BMI only with the weight diagnosis it supports
    ("Assessment: Obesity, BMI 36.4; nutrition referral.", {"E66.9", "Z68.36"}),
    ("Assessment: Hypertension. BMI 36.4.", {"I10"}),
    # pregnancy: weeks of gestation, trimester from the weeks, first or other pregnancy from the gravida
    ("S: G2P1 at 24 weeks, routine visit.\nA: Supervision of normal pregnancy.", {"Z34.82", "Z3A.24"}),
    ("Assessment: 30 weeks gestation. Anemia in pregnancy.", {"O99.013", "D64.9", "Z3A.30"}),
]


@pytest.mark.parametrize(("note", "expected"), CONVENTION_CASES)
def test_conventions_decide_the_codes(note: str, expected: set[str]) -> None:
    assert codes(note) == expected


def test_the_code_set_is_the_one_in_force_on_the_date_of_service() -> None:
    assert codes("Assessment: Plantar fasciitis, left foot.", FY2026) == {"M72.2"}
    assert codes("Assessment: Plantar fasciitis, left foot.", FY2027) == {"M67.A02"}
    assert codes("Assessment: Dilated cardiomyopathy.", FY2026) == {"I42.0"}
    assert codes("Assessment: Dilated cardiomyopathy.", FY2027) == {"I42.00"}
    assert codes("Assessment: Hepatic fibrosis, moderate fibrosis.", FY2027) == {"K74.0A"}


def test_a_code_the_lexicon_never_listed_is_reached_through_the_tabular_list() -> None:
    assert codes("Assessment: Pain in the small joints of the right hand.") == {"M25.541"}
    assert codes("Assessment: REM sleep behavior disorder.") == {"G47.52"}
    assert codes("Assessment: Hand, foot and mouth disease.") == {"B08.4"}
    assert codes("Assessment: Migraine without aura, intractable.") == {"G43.019"}
