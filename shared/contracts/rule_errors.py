"""Cross-field rule failures raised from pydantic validators, each at its own location.

Raising a ValidationError with located line errors from a field validator lets pydantic report
every failure at once, prefixed with the field's own location, so each one becomes a precise
JSON pointer. Messages never carry the submitted value (it may be PHI).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Location = tuple[str | int, ...]


def rule_failure(message: str) -> PydanticCustomError:
    """One failure at the validated field itself (no 'Value error,' prefix, no value echoed)."""
    return PydanticCustomError("encounter_rule", message)


def rule_failures(title: str, failures: Sequence[tuple[Location, str]]) -> ValidationError:
    """Several failures, each at a location relative to the validated field."""
    details = [InitErrorDetails(type=rule_failure(message), loc=location, input=None)
               for location, message in failures]
    return ValidationError.from_exception_data(title, details)
