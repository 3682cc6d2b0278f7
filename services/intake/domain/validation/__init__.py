"""Intake's validation of an encounter beyond its contract: code sets (ICD-10-CM, place of service) and dates."""

from services.intake.domain.validation.dates import latest_date_on_earth
from services.intake.domain.validation.encounter_rules import encounter_violations, validate_encounter
from services.intake.domain.validation.icd10cm import diagnosis_violations, icd10cm_releases
from services.intake.domain.validation.violations import EncounterRulesBroken, Violation

__all__ = ["EncounterRulesBroken", "Violation", "diagnosis_violations", "encounter_violations", "icd10cm_releases",
           "latest_date_on_earth", "validate_encounter"]
