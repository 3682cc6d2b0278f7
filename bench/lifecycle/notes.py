"""Distinct clinical notes for the lifecycle bench: every encounter its own visit, built from templates.

A visit is one to three chronic problems (each with its ICD-10-CM code and several ways of writing it),
the patient's age, vitals, labs and medicines drawn at random, and a plan. The encounter bills exactly the
problems its note documents and the E/M level the note supports (two problems managed with prescription
drugs: 99214; one: 99213), so the coder confirms it without a human and the bench measures the pipeline,
not a review queue. Distinct text, so nothing downstream can coast on a cache of identical notes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    code: str
    assessments: tuple[str, ...]  # how the assessment names it; {medicine} is the one adjusted
    histories: tuple[str, ...]  # what the patient reports
    medicines: tuple[str, ...]


PROBLEMS = (
    Problem("I10", ("essential hypertension, not at goal; increase {medicine}",
                    "hypertension, above target; titrate {medicine}",
                    "essential hypertension, uncontrolled today; adjust {medicine}"),
            ("home blood pressures {systolic}s over {diastolic}s", "occasional morning headaches, no vision change"),
            ("lisinopril", "amlodipine", "losartan")),
    Problem("E78.5", ("hyperlipidemia, LDL above goal; increase {medicine}",
                      "hyperlipidemia, not at goal on current dose; change {medicine}"),
            ("LDL {ldl} on the last panel", "no muscle aches on the statin"),
            ("atorvastatin", "rosuvastatin", "simvastatin")),
    Problem("K21.9", ("gastroesophageal reflux disease without esophagitis, worse; increase {medicine}",
                      "GERD without esophagitis, breakthrough symptoms; change to {medicine}"),
            ("heartburn after late meals", "reflux symptoms {nights} nights a week, no dysphagia"),
            ("omeprazole", "pantoprazole", "famotidine")),
    Problem("E03.9", ("hypothyroidism, TSH above range; increase {medicine}",
                      "hypothyroidism, undertreated; adjust {medicine} dose"),
            ("fatigue and cold intolerance", "TSH {tsh} on the last draw"),
            ("levothyroxine",)),
    Problem("F41.1", ("generalized anxiety disorder, worsening; increase {medicine}",
                      "generalized anxiety disorder, not controlled; titrate {medicine}"),
            ("worry most days, trouble sleeping", "GAD-7 score of {gad7}"),
            ("sertraline", "escitalopram", "buspirone")),
)
OPENINGS = ("Established patient, {age}{sex}, follow-up of {names}.", "{age}-year-old {person} seen today for {names}.",
            "Follow-up visit. {age} y/o {person} with {names}.", "Chief complaint: follow-up of {names}. Age {age}.")
CLOSINGS = ("Return in {weeks} weeks.", "Follow up in {weeks} weeks, sooner if worse.",
            "Recheck in {weeks} weeks with labs.")


@dataclass(frozen=True)
class Visit:
    note: str
    diagnoses: list[str]
    em_code: str


def visit(rng: random.Random) -> Visit:
    """One distinct visit: its note, the codes it documents and the E/M level it supports."""
    problems = rng.sample(PROBLEMS, rng.choice((1, 2, 2, 3)))
    sex, person = rng.choice((("F", "woman"), ("M", "man")))
    names = " and ".join(p.assessments[0].split(",")[0] for p in problems)
    values = {"systolic": rng.randrange(140, 171, 10), "diastolic": rng.randrange(80, 101, 10),
              "ldl": rng.randrange(130, 191), "nights": rng.randrange(2, 6), "tsh": round(rng.uniform(6, 11), 1),
              "gad7": rng.randrange(11, 17)}
    lines = [rng.choice(OPENINGS).format(age=rng.randrange(35, 80), sex=sex, person=person, names=names)]
    lines += [f"Reports {rng.choice(p.histories).format(**values)}." for p in problems]
    lines.append(f"BP {values['systolic'] + rng.randrange(0, 9)}/{values['diastolic'] + rng.randrange(0, 9)}, "
                 f"pulse {rng.randrange(62, 95)}, weight {rng.randrange(120, 260)} lb.")
    plan = [f"{n}. {rng.choice(p.assessments).format(medicine=rng.choice(p.medicines))}."
            for n, p in enumerate(problems, start=1)]
    lines.append("Assessment and plan: " + " ".join(plan))
    lines.append(f"Prescription drug management. {rng.choice(CLOSINGS).format(weeks=rng.choice((4, 6, 8, 12)))}")
    return Visit(" ".join(lines), [p.code for p in problems], "99214" if len(problems) > 1 else "99213")
