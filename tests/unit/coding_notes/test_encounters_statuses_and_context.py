"""What a note says that is not a current problem, and facts about the patient that are coded wherever written:
ordered tests and screening, counselling, vaccines, routine examinations, statuses and histories."""

from __future__ import annotations

import datetime as dt

import pytest

from services.coding.domain.documentation import read_note
from services.coding.domain.documentation.note_sections import ASSESSMENT, sections

DATE = dt.date(2026, 11, 2)


def codes(note: str) -> set[str]:
    reading = read_note(note, DATE)
    assert reading.problems is None
    return {d.code for d in reading.diagnoses}


CASES = [
    # an ordered test, a screening, counselling or a goal names a disease the patient is not said to have
    ("Assessment: Plaque psoriasis. Hepatitis B serologies ordered before a biologic.", {"L40.0"}),
    ("Assessment: Type 2 diabetes. Hepatitis panel sent.", {"E11.9"}),
    ("Assessment: Hypertension. Counseled on weight loss; weight loss goal of 5 kg.", {"I10"}),
    ("Assessment: Hypertension. Screening for hepatitis C today.", {"I10"}),
    # vaccines given are an immunization encounter (Z23), not the diseases they prevent
    ("Assessment: Mild intermittent asthma. Vaccines given today: MMR, varicella.", {"J45.20", "Z23"}),
    ("Assessment: Hypertension. Influenza vaccine given.", {"I10", "Z23"}),
    # a routine examination, with or without abnormal findings (I.C.21.c.13)
    ("Well-child check, 4-year-old girl. Development normal. Vaccines given today: DTaP, IPV.", {"Z00.129", "Z23"}),
    ("Well-child check. Mild intermittent asthma, albuterol refilled.", {"Z00.121", "J45.20"}),
    ("Assessment: Annual physical. Hypertension, continue lisinopril.", {"Z00.01", "I10"}),
    # statuses: dependence on dialysis, a transplanted kidney, an insulin pump; planning is not a status
    ("Assessment: End-stage renal disease on hemodialysis Monday, Wednesday and Friday.", {"N18.6", "Z99.2"}),
    ("Assessment: Chronic kidney disease stage 4. Begin dialysis education.", {"N18.4"}),
    ("Assessment: Kidney transplant recipient, creatinine stable.", {"Z94.0"}),
    # a status between a diagnosis and its complication does not part them
    ("Assessment: Type 1 diabetes on an insulin pump with hypoglycemia overnight.", {"E10.649", "Z96.41"}),
    # abbreviations and the conditions the tabular list does not spell as notes do
    ("Assessment: PCOS with hirsutism; start spironolactone.", {"E28.2"}),
    ("A/P: Bacterial vaginosis: metronidazole for 7 days.", {"N76.0"}),
    ("Assessment: Postmenopausal atrophic vaginitis and menopausal hot flashes.", {"N95.2", "N95.1"}),
    ("Assessment: Urinary urgency and nocturia.", {"R39.15", "R35.1"}),
    ("Assessment: Right acute otitis media.", {"H66.91"}),
    ("Assessment: Hypertension. Vaccine hesitancy discussed.", {"I10"}),
    ("Assessment: Cellulitis of the right lower leg; cephalexin.", {"L03.115"}),
    ("Assessment: Primary open-angle glaucoma, bilateral, moderate stage.", {"H40.1132"}),
    ("Assessment: Peanut allergy; epinephrine auto-injector prescribed.", {"Z91.010"}),
    ("Assessment: Allergic rhinitis due to dust mites.", {"J30.89"}),
    # Alzheimer's disease with the dementia its code-also note asks for
    ("Assessment: Alzheimer dementia.", {"G30.9", "F02.80"}),
    # an exposure is not the disease, but it is the exposure code when one names it
    ("Assessment: Otitis media with effusion, bilateral. Exposure to secondhand smoke at home.", {"H65.93", "Z77.22"}),
    ("Assessment: Cough. Exposed to influenza at work.", {"R05.9"}),
    # repeated falls are a symptom (R29.6), a history of falling a status (Z91.81)
    ("Assessment: Repeated falls, multifactorial.", {"R29.6"}),
    ("Assessment: Osteoporosis. History of falls.", {"M81.0", "Z91.81"}),
    ("Assessment: Psychophysiological insomnia; CBT-I referral.", {"F51.04"}),
    # gestational diabetes by its control, without the type 2 diabetes or insulin codes (I.C.15.g)
    ("Assessment: Gestational diabetes, now on insulin.", {"O24.414"}),
    ("Assessment: Gestational diabetes, diet controlled.", {"O24.410"}),
    # a code that includes another: Hashimoto's hypothyroidism, epilepsy's seizure
    ("Assessment: Hashimoto thyroiditis with hypothyroidism.", {"E06.3"}),
    # a diagnosis followed by "suspected" is uncertain: its symptom is coded
    ("Assessment: Bilateral shoulder pain: polymyalgia rheumatica suspected.", {"M25.511", "M25.512"}),
    # "pad" is a pad, not peripheral artery disease
    ("Assessment: Menorrhagia, soaking a pad an hour.", {"N92.0"}),
]


@pytest.mark.parametrize(("note", "expected"), CASES)
def test_the_note_is_coded_as_a_coder_would(note: str, expected: set[str]) -> None:
    assert codes(note) == expected


def test_a_seizure_is_part_of_the_epilepsy_it_belongs_to() -> None:
    found = codes("Assessment: Focal epilepsy with a seizure last week; continue levetiracetam.")
    assert not any(code.startswith("R56") for code in found)
    assert any(code.startswith("G40") for code in found)


def test_a_narrative_that_ends_with_a_plan_is_read_as_its_own_assessment() -> None:
    note = ("Ms. T has recurrent urinary tract infections and atrophic vaginitis on exam. "
            "Plan: vaginal estrogen cream.")
    regions = sections(note)
    assert regions[0] == (ASSESSMENT, 0, note.index("Plan:"))
    assert "N95.2" in codes(note)


def test_a_note_with_an_assessment_still_reads_only_its_assessment_for_problems() -> None:
    note = "HPI: Cough for a week.\nAssessment: Hypertension, stable.\nPlan: continue lisinopril."
    assert codes(note) == {"I10"}


def test_histories_written_in_the_story_count_but_not_the_templated_family_history_section() -> None:
    story = ("CC: colon cancer screening consult.\n50 y/o M, asymptomatic. Father had colon cancer at 52. "
             "Former smoker.\nPlan: screening colonoscopy scheduled.")
    assert {"Z12.11", "Z80.0", "Z87.891"} <= codes(story)
    template = ("HPI: Heartburn, improved on pantoprazole.\nFamily History: Father with colon cancer at 72.\n"
                "Assessment and Plan:\nGastroesophageal reflux disease, improved. Continue pantoprazole.")
    assert "Z80.0" not in codes(template)
