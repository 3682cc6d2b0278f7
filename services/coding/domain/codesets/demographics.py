"""Diagnoses that fit only some ages or one sex (CMS Medicare Code Editor age and sex conflict edits)."""

from __future__ import annotations

from dataclasses import dataclass

from services.coding.domain.codesets.code_ranges import CodeRange


@dataclass(frozen=True)
class AgeRule:
    """Codes valid only for patients aged min_age through max_age years inclusive."""

    name: str  # e.g. "newborn", "maternity"
    min_age: int
    max_age: int
    codes: tuple[CodeRange, ...]
    section: str = ""  # where the MCE lists it, e.g. "4.C"


@dataclass(frozen=True)
class SexRule:
    """Codes valid only for one sex (F or M)."""

    sex: str
    codes: tuple[CodeRange, ...]
    section: str = ""


@dataclass(frozen=True)
class DemographicRules:
    source: str
    age_rules: tuple[AgeRule, ...]
    sex_rules: tuple[SexRule, ...]

    def age_conflicts(self, code: str, age: int) -> list[AgeRule]:
        return [rule for rule in self.age_rules
                if any(code in span for span in rule.codes) and not rule.min_age <= age <= rule.max_age]

    def sex_conflict(self, code: str, sex: str) -> SexRule | None:
        """The rule a code breaks for this sex; unknown sex (U) never conflicts."""
        if sex not in ("F", "M"):
            return None
        return next((rule for rule in self.sex_rules
                     if rule.sex != sex and any(code in span for span in rule.codes)), None)
