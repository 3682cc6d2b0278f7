"""2021+ AMA office/outpatient E/M rules (CPT 99202-99215): MDM elements, MDM level and time thresholds.

Levels are numbered 0 minimal/straightforward, 1 low, 2 moderate, 3 high.
"""

from __future__ import annotations

ELEMENT_NAMES = ("minimal", "low", "moderate", "high")
MDM_NAMES = ("straightforward", "low", "moderate", "high")
NEW_PATIENT = ("99202", "99203", "99204", "99205")
ESTABLISHED = ("99212", "99213", "99214", "99215")
NURSE_VISIT = "99211"  # established patient, no MDM required
# Total time on the date of the encounter (CPT 2024): the minimum minutes for each level.
NEW_MINUTES = (15, 30, 45, 60)
ESTABLISHED_MINUTES = (10, 20, 30, 40)


def mdm_level(problems: int, data: int, risk: int) -> int:
    """MDM is the level met or exceeded by two of the three elements: the middle one."""
    return sorted((problems, data, risk))[1]


def time_level(minutes: int | None, new_patient: bool) -> int | None:
    """The highest level whose time threshold the documented total time reaches, or None."""
    if minutes is None:
        return None
    thresholds = NEW_MINUTES if new_patient else ESTABLISHED_MINUTES
    reached = [level for level, threshold in enumerate(thresholds) if minutes >= threshold]
    return reached[-1] if reached else None


def code_for(level: int, new_patient: bool) -> str:
    """The CPT code of a level for new or established patients."""
    return (NEW_PATIENT if new_patient else ESTABLISHED)[level]


def billed_level(code: str) -> tuple[int, bool] | None:
    """(level, new patient) of an office E/M code; 99211 is level -1; None when not office E/M."""
    if code in NEW_PATIENT:
        return NEW_PATIENT.index(code), True
    if code in ESTABLISHED:
        return ESTABLISHED.index(code), False
    if code == NURSE_VISIT:
        return -1, False
    return None


def problems_level(kinds: list[tuple[str, str | None]], undiagnosed: bool) -> int:
    """Number and complexity of problems addressed: (kind, status) per problem; status is None, 'stable',
    'exacerbation' or 'severe'."""
    if any(kind == "threat" or status == "severe" for kind, status in kinds):
        return 3
    chronic = [status for kind, status in kinds if kind == "chronic"]
    if (undiagnosed or any(status == "exacerbation" for status in chronic) or len(chronic) >= 2
            or any(kind in ("acute_systemic", "injury_complicated") for kind, _ in kinds)):
        return 2
    self_limited = sum(kind == "self_limited" for kind, _ in kinds)
    simple = ("acute", "symptom", "injury", "healing_injury")
    if chronic or self_limited >= 2 or any(kind in simple for kind, _ in kinds):
        return 1
    return 0


def data_level(tests_and_documents: int, historian: bool, interpretation: bool, discussion: bool) -> int:
    """Amount and complexity of data: category 1 counts unique tests ordered or reviewed and external notes
    reviewed (plus the independent historian for moderate and high); category 2 is independent interpretation;
    category 3 is discussion of management with an external physician or other professional."""
    category1 = tests_and_documents + (1 if historian else 0)
    categories = (category1 >= 3) + interpretation + discussion
    if categories >= 2:
        return 3
    if categories == 1:
        return 2
    if tests_and_documents >= 2 or historian:
        return 1
    return 0


def risk_level(*, hospitalization: bool, toxicity_monitoring: bool, major_surgery: bool, surgical_risk: bool,
               prescription: bool, sdoh: bool, low_risk: bool) -> int:
    """Risk of complications of patient management."""
    if hospitalization or toxicity_monitoring or (major_surgery and surgical_risk):
        return 3
    if prescription or major_surgery or sdoh:
        return 2
    if low_risk:
        return 1
    return 0
