"""What an edit may know besides the encounter: the claim's frequency, today's date, payer settings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

DEFAULT_TIMELY_FILING_DAYS = 365
DEFAULT_TIMELY_FILING_WARNING_DAYS = 30
PAYER_SETTINGS_FILE = "payer_settings.json"
CoveragePriority = Literal["primary", "secondary", "tertiary"]


@dataclass(frozen=True, slots=True)
class PayerSettings:
    """One payer's scrubbing rules."""

    timely_filing_days: int = DEFAULT_TIMELY_FILING_DAYS
    timely_filing_warning_days: int = DEFAULT_TIMELY_FILING_WARNING_DAYS

    def __post_init__(self) -> None:
        if self.timely_filing_days < 1 or self.timely_filing_warning_days < 0:
            raise ValueError("timely filing days must be positive and the warning window not negative")

    @classmethod
    def from_json(cls, values: Mapping[str, Any], default: PayerSettings | None = None) -> PayerSettings:
        """Settings from a JSON object; keys it leaves out come from default."""
        base = default or cls()
        unknown = set(values) - {"timely_filing_days", "timely_filing_warning_days"}
        if unknown:
            raise ValueError(f"unknown payer settings: {sorted(unknown)}")
        return cls(timely_filing_days=int(values.get("timely_filing_days", base.timely_filing_days)),
                   timely_filing_warning_days=int(values.get("timely_filing_warning_days",
                                                             base.timely_filing_warning_days)))


@dataclass(frozen=True, slots=True)
class PayerSettingsBook:
    """Settings per payer id, with a default for payers not listed."""

    default: PayerSettings = field(default_factory=PayerSettings)
    by_payer: Mapping[str, PayerSettings] = field(default_factory=dict)

    def for_payer(self, payer_id: str | None) -> PayerSettings:
        """The payer's settings, or the default."""
        return self.by_payer.get(payer_id or "", self.default)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> PayerSettingsBook:
        """Parse {"default": {...}, "payers": {"PAYERID": {...}}}."""
        default = PayerSettings.from_json(document.get("default", {}))
        payers = document.get("payers", {})
        return cls(default=default,
                   by_payer={payer_id: PayerSettings.from_json(values, default)
                             for payer_id, values in payers.items()})


@lru_cache(maxsize=1)
def bundled_payer_settings() -> PayerSettingsBook:
    """The payer settings shipped beside the library (payer_settings.json), read once."""
    text = resources.files(__package__).joinpath(PAYER_SETTINGS_FILE).read_text(encoding="utf-8")
    return PayerSettingsBook.from_json(json.loads(text))


@dataclass(frozen=True, slots=True)
class ScrubContext:
    """The facts about this submission that are not in the encounter."""

    today: dt.date
    frequency_code: str = "1"
    payer_claim_control_number: str | None = None
    payer_settings: PayerSettingsBook = field(default_factory=PayerSettingsBook)
    # Which coverage this claim version bills; a secondary's filing window may start at the primary's payment.
    billed_priority: CoveragePriority = "primary"
    primary_paid_on: dt.date | None = None
