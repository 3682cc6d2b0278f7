"""Intake's rules beyond the contract: code sets and the calendar, all checked, all reported at once."""

from __future__ import annotations

import datetime as dt

from services.intake.domain.validation.dates import date_violations
from services.intake.domain.validation.icd10cm import diagnosis_violations, icd10cm_releases
from services.intake.domain.validation.places_of_service import place_of_service_violations
from services.intake.domain.validation.violations import EncounterRulesBroken, Violation
from shared.contracts.encounter import Encounter
from shared.icd10cm import Icd10CmCodeLists


def encounter_violations(encounter: Encounter, today: dt.date,
                         icd10cm: Icd10CmCodeLists | None = None) -> list[Violation]:
    """Every code-set and calendar rule the (contract-valid) encounter breaks, in document order."""
    releases = icd10cm or icd10cm_releases()
    violations = [*date_violations(encounter, today),
                  *place_of_service_violations(encounter.place_of_service, encounter.date_of_service),
                  *diagnosis_violations(releases, encounter.diagnoses, encounter.date_of_service)]
    return sorted(violations, key=lambda violation: _document_order(encounter, violation.pointer))


def validate_encounter(encounter: Encounter, today: dt.date, icd10cm: Icd10CmCodeLists | None = None) -> None:
    """Raise EncounterRulesBroken with every violation, or return when the encounter may become a claim."""
    violations = encounter_violations(encounter, today, icd10cm)
    if violations:
        raise EncounterRulesBroken(violations)


def _document_order(encounter: Encounter, pointer: str) -> int:
    """Position of the pointer's top-level field; the stable sort keeps each rule's own order within it."""
    fields = list(type(encounter).model_fields)
    top = pointer.split("/")[1]
    return fields.index(top) if top in fields else len(fields)
