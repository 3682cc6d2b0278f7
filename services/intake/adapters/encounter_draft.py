"""An Encounter being built from another format (FHIR, X12), remembering where each field came from.

Every way into intake validates with the same `Encounter` contract; a contract error is reported
at the place in the caller's own document the field was read from (a FHIR JSON pointer, an X12
segment position), so the caller can fix its export. Errors never carry the values themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pydantic import ValidationError

from shared.contracts.encounter import Encounter
from shared.errors import DomainError
from shared.http.problems import json_pointer

FieldPath = tuple[str | int, ...]
SourceLocation = dict[str, str | int]  # e.g. {"pointer": "/item/0"} or {"segment": 12, "segment_id": "SV1"}
MappingError = dict[str, str | int]


class RuleViolation(Protocol):
    """A rule beyond the contract that an Encounter breaks, at a JSON pointer into the Encounter."""

    @property
    def pointer(self) -> str: ...

    @property
    def detail(self) -> str: ...


# Intake's code-set and calendar rules, run on every way in (see services/intake/domain/validation).
EncounterRules = Callable[[Encounter], Sequence[RuleViolation]]


class EncounterMappingFailed(DomainError):
    """The document cannot become a valid Encounter; each error names where, never what."""

    def __init__(self, errors: Sequence[MappingError]):
        super().__init__(f"{len(errors)} problem(s) prevent this document from becoming an encounter")
        self.errors = list(errors)


class EncounterDraft:
    """Collects mapping errors and the source location of every Encounter field it is told about."""

    def __init__(self, document: SourceLocation):
        self._origins: dict[FieldPath, SourceLocation] = {(): document}
        self.errors: list[MappingError] = []

    def came_from(self, field: FieldPath, location: SourceLocation) -> None:
        """Record that the Encounter field at `field` was read from `location`."""
        self._origins[field] = location

    def fail(self, location: SourceLocation, detail: str) -> None:
        """A problem found while mapping (missing element, unknown code system, ...)."""
        self.errors.append({**location, "detail": detail})

    def location_of(self, field: FieldPath) -> SourceLocation:
        """The most specific recorded source of a field (its own, else its nearest recorded parent's)."""
        for length in range(len(field), -1, -1):
            found = self._origins.get(field[:length])
            if found is not None:
                return found
        return self._origins[()]

    def validated(self, values: dict[str, Any], rules: EncounterRules | None = None) -> Encounter:
        """The Encounter, or EncounterMappingFailed with mapping, contract and rule errors at their sources."""
        try:
            encounter = Encounter.model_validate(values)
        except ValidationError as invalid:
            reported = [_where(error) for error in self.errors]
            # A field that failed to map usually fails the contract too: say so once, where it came from.
            more = [error for error in self.contract_errors(invalid) if _where(error) not in reported]
            raise EncounterMappingFailed([*self.errors, *more]) from None
        if self.errors:
            raise EncounterMappingFailed(self.errors)
        violations = rules(encounter) if rules is not None else ()
        if violations:
            raise EncounterMappingFailed([
                {**self.location_of(_field_path(v.pointer)), "field": v.pointer, "detail": v.detail}
                for v in violations])
        return encounter

    def contract_errors(self, invalid: ValidationError) -> list[MappingError]:
        """Each contract error at the source of its field, with the Encounter field it concerns."""
        listed: list[MappingError] = []
        for error in invalid.errors():
            field = tuple(part for part in error["loc"] if not _is_validator_tag(part))
            detail = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            if error.get("type") == "extra_forbidden":
                detail = "unknown field"
            elif error.get("type") == "missing":
                detail = "is required"
            listed.append({**self.location_of(field), "field": json_pointer(field), "detail": detail})
        return listed


def dotted_icd10(code: str) -> str:
    """ICD-10-CM in its printed form, as the contract and the JSON API carry it: the dot after character 3."""
    bare = code.upper().replace(".", "").strip()
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def _field_path(pointer: str) -> FieldPath:
    """An RFC 6901 pointer into the Encounter as a field path (array indexes as ints)."""
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    return tuple(int(part) if part.isdigit() else part for part in parts)


def _where(error: MappingError) -> MappingError:
    return {key: value for key, value in error.items() if key not in ("detail", "field")}


def _is_validator_tag(part: str | int) -> bool:
    # pydantic names wrapped validators in error locations, e.g. "function-after[_npi(), str]"
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))
