"""The edge of intake's encounter rules: broken rules become one 422 problem listing every pointer."""

from __future__ import annotations

import datetime as dt

from services.intake.domain.validation import EncounterRulesBroken, latest_date_on_earth, validate_encounter
from shared.contracts.encounter import Encounter
from shared.http.problems import InvalidRequest


def check_encounter_rules(encounter: Encounter) -> None:
    """Raise InvalidRequest when the parsed encounter breaks a code-set or calendar rule."""
    try:
        validate_encounter(encounter, today=latest_date_on_earth(dt.datetime.now(dt.UTC)))
    except EncounterRulesBroken as broken:
        errors = [{"pointer": v.pointer, "detail": v.detail} for v in broken.violations]
        raise InvalidRequest(f"{len(errors)} field(s) failed validation", errors=errors) from None
