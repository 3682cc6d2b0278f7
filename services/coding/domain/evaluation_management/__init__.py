"""Office/outpatient E/M level (99202-99215) from the note, by the 2021+ AMA MDM and time rules."""

from services.coding.domain.evaluation_management.assessment import assess_em
from services.coding.domain.evaluation_management.model import EmAssessment

__all__ = ["EmAssessment", "assess_em"]
