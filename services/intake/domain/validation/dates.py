"""Calendar rules: nothing in the future, nothing before birth, every line inside the claim's span."""

from __future__ import annotations

import datetime as dt

from services.intake.domain.validation.violations import Violation, pointer
from shared.contracts.encounter import Encounter

OLDEST_AGE = 150
# The latest calendar date anywhere (UTC+14): a practice east of UTC is never told its today is the future.
_EARLIEST_TIMEZONE_AHEAD = dt.timedelta(hours=14)


def latest_date_on_earth(now: dt.datetime) -> dt.date:
    """The newest calendar date in any time zone at the instant `now` (aware)."""
    return (now.astimezone(dt.UTC) + _EARLIEST_TIMEZONE_AHEAD).date()


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years from birth to day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def claim_span(encounter: Encounter) -> tuple[dt.date, dt.date, str]:
    """First and last date a line may carry, and the fields that set them (for the error detail)."""
    if encounter.claim_type == "institutional" and encounter.admission_date and encounter.discharge_date:
        return encounter.admission_date, encounter.discharge_date, "admission_date..discharge_date"
    through = encounter.date_of_service_through or encounter.date_of_service
    return encounter.date_of_service, through, "date_of_service..date_of_service_through"


def date_violations(encounter: Encounter, today: dt.date) -> list[Violation]:
    """Every calendar rule the encounter breaks, judged on `today`."""
    return [*_claim_date_violations(encounter, today), *_birth_violations(encounter, today),
            *_stay_violations(encounter, today), *_line_date_violations(encounter, today)]


def _future(field: str, value: dt.date | None, today: dt.date) -> list[Violation]:
    return [Violation(pointer(field), "must not be in the future")] if value and value > today else []


def _claim_date_violations(encounter: Encounter, today: dt.date) -> list[Violation]:
    violations = _future("date_of_service", encounter.date_of_service, today)
    through = encounter.date_of_service_through
    if through is not None and through < encounter.date_of_service:
        violations.append(Violation(pointer("date_of_service_through"), "must not be before date_of_service"))
    else:
        violations += _future("date_of_service_through", through, today)
    return violations


def _birth_violations(encounter: Encounter, today: dt.date) -> list[Violation]:
    birth = encounter.patient.date_of_birth
    violations = []
    if birth > today:
        violations.append(Violation(pointer("patient", "date_of_birth"), "must not be in the future"))
    elif encounter.date_of_service < birth:
        violations.append(Violation(pointer("date_of_service"), "must not be before the patient's date of birth"))
    elif age_on(birth, encounter.date_of_service) >= OLDEST_AGE:
        violations.append(Violation(pointer("patient", "date_of_birth"),
                                    f"makes the patient {OLDEST_AGE} or older on the date of service"))
    if encounter.admission_date is not None and encounter.admission_date < birth <= today:
        violations.append(Violation(pointer("admission_date"), "must not be before the patient's date of birth"))
    for index, coverage in enumerate(encounter.coverages):
        if coverage.subscriber is not None and coverage.subscriber.date_of_birth > today:
            violations.append(Violation(pointer("coverages", index, "subscriber", "date_of_birth"),
                                        "must not be in the future"))
    return violations


def _stay_violations(encounter: Encounter, today: dt.date) -> list[Violation]:
    admitted, discharged = encounter.admission_date, encounter.discharge_date
    violations = _future("admission_date", admitted, today)
    if admitted is None or discharged is None:
        return violations
    if discharged < admitted:
        return [*violations, Violation(pointer("discharge_date"), "must not be before admission_date")]
    violations += _future("discharge_date", discharged, today)
    hours = encounter.admission_hour, encounter.discharge_hour
    if discharged == admitted and hours[0] is not None and hours[1] is not None and hours[1] < hours[0]:
        violations.append(Violation(pointer("discharge_hour"), "must not be before admission_hour on the same day"))
    if encounter.claim_type == "institutional" and not admitted <= encounter.date_of_service <= discharged:
        violations.append(Violation(pointer("date_of_service"), "must fall within admission_date..discharge_date"))
    return violations


def _line_date_violations(encounter: Encounter, today: dt.date) -> list[Violation]:
    first, last, fields = claim_span(encounter)
    violations = []
    for index, line in enumerate(encounter.service_lines):
        day = line.date_of_service
        if day is None:
            continue
        at = pointer("service_lines", index, "date_of_service")
        if day > today:
            violations.append(Violation(at, "must not be in the future"))
        elif not first <= day <= last:
            violations.append(Violation(at, f"must fall within the claim's span ({fields})"))
    return violations
