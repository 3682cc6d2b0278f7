"""Claims for the scrubber's unit tests: the public example, dated relative to a fixed today."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from services.submission.domain.scrubber import LIBRARY, PayerSettingsBook, ScrubContext, ScrubResult
from shared.contracts.encounter import Encounter
from tests.support.encounters import example_encounter

TODAY = dt.date(2026, 11, 27)
PAYERS = PayerSettingsBook.from_json({
    "default": {"timely_filing_days": 365, "timely_filing_warning_days": 30},
    "payers": {"SHORTPAY": {"timely_filing_days": 180}},
})
Change = Callable[[dict[str, Any]], None]


def days_ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


def clean_claim() -> dict[str, Any]:
    """The example encounter, seen 10 days after its date of service: passes every edit."""
    claim = copy.deepcopy(example_encounter())
    claim["date_of_service"] = days_ago(10)
    claim["clinical_note"] = None
    return claim


def coverage(priority: str, payer_id: str = "SIMPAY") -> dict[str, Any]:
    return {"priority": priority, "payer": {"payer_id": payer_id, "name": "A Payer"}, "member_id": "M123456",
            "group_number": None, "claim_filing_indicator": "CI", "relationship": "self", "subscriber": None}


def unvalidated(claim: dict[str, Any]) -> Encounter:
    """The claim as an Encounter built without validation, as a corrected or older claim may be."""
    return Encounter.model_construct(**claim)


def scrub(change: Change | None = None, **context: Any) -> ScrubResult:
    """Scrub the clean claim after applying change, with context overrides."""
    claim = clean_claim()
    if change is not None:
        change(claim)
    return LIBRARY.scrub(unvalidated(claim), ScrubContext(**{"today": TODAY, "payer_settings": PAYERS, **context}))


def pointers_of(result: ScrubResult, edit_id: str) -> list[str]:
    return [finding.pointer for finding in result.findings if finding.edit_id == edit_id]
