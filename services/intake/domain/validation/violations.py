"""A broken intake rule: where (a JSON pointer into the encounter) and why, never the value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.errors import DomainError


@dataclass(frozen=True)
class Violation:
    """One rule an encounter breaks, at an RFC 6901 pointer into the posted document."""

    pointer: str
    detail: str


class EncounterRulesBroken(DomainError):
    """The encounter parsed but breaks code-set or calendar rules; carries every violation at once."""

    def __init__(self, violations: Sequence[Violation]):
        super().__init__(f"{len(violations)} field(s) failed validation")
        self.violations = list(violations)


def pointer(*parts: str | int) -> str:
    """An RFC 6901 pointer from path parts (escaping ~ and /)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
