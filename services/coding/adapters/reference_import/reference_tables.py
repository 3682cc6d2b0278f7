"""Read the small JSON tables we keep ourselves: MCE age/sex lists, add-on codes, minor procedures."""

from __future__ import annotations

import json
from typing import Any

from services.coding.domain.codesets import AddOnCode, AgeRule, DemographicRules, ProcedureRules, SexRule
from services.coding.domain.codesets.code_ranges import parse_reference


class ReferenceTableError(ValueError):
    """A table does not have the shape this module reads."""


def _ranges(items: list[str], where: str) -> tuple[Any, ...]:
    ranges = tuple(parse_reference(item) for item in items)
    if any(span is None for span in ranges):
        raise ReferenceTableError(f"{where}: every entry must be an ICD-10-CM code or range")
    return ranges


def read_demographic_rules(text: str) -> DemographicRules:
    """The MCE age and sex conflict lists."""
    data = json.loads(text)
    try:
        ages = tuple(AgeRule(rule["name"], int(rule["min_age"]), int(rule["max_age"]),
                             _ranges(rule["codes"], f"age rule {rule['name']}"), rule.get("section", ""))
                     for rule in data["age"])
        sexes = tuple(SexRule(rule["sex"], _ranges(rule["codes"], f"sex rule {rule['sex']}"), rule.get("section", ""))
                      for rule in data["sex"])
        return DemographicRules(data["source"], ages, sexes)
    except (KeyError, TypeError) as error:
        raise ReferenceTableError(f"age/sex table is missing {error}") from error


def read_procedure_rules(add_on_text: str, minor_text: str) -> ProcedureRules:
    """Add-on codes with their primaries, and the global days of minor procedures."""
    add_on, minor = json.loads(add_on_text), json.loads(minor_text)
    try:
        codes = {code: AddOnCode(code, frozenset(primaries)) for code, primaries in add_on["add_on_codes"].items()}
        days = {code: int(value) for code, value in minor["global_days"].items()}
        return ProcedureRules(add_on["source"], codes, minor["source"], days)
    except (KeyError, TypeError, ValueError) as error:
        raise ReferenceTableError(f"procedure table is malformed: {error}") from error
