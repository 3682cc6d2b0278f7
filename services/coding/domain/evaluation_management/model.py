"""The E/M level a note supports, compared with the level billed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.coding.domain.documentation.model import EvidenceSpan

Verdict = Literal["supported", "overcoded", "undercoded", "not_assessable"]
Basis = Literal["mdm", "time", "none"]


@dataclass(frozen=True)
class EmAssessment:
    billed_code: str
    supported_code: str | None
    basis: Basis
    problems_level: str  # minimal, low, moderate, high
    data_level: str
    risk_level: str
    total_minutes: int | None
    verdict: Verdict
    reason: str  # plain language, never note text
    evidence: tuple[EvidenceSpan, ...]
