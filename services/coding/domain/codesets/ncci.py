"""CMS National Correct Coding Initiative tables: procedure-to-procedure pairs and medically unlikely edits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

# NCCI Policy Manual for Medicare Services, ch. I, section E: the modifiers that may bypass a PTP edit
# whose modifier indicator is 1, when the documentation supports a separate service. 59 and the X{EPSU}
# subset report a distinct procedural service; anatomic modifiers a different site; 25 and 57 only
# bypass a pair whose column 2 is an E/M service (the E/M line carries them).
DISTINCT_SERVICE_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
ANATOMIC_MODIFIERS = frozenset({
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LT", "RT",
    "LC", "LD", "LM", "RC", "RI", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
})
EM_BYPASS_MODIFIERS = frozenset({"25", "57"})
BYPASS_MODIFIERS = DISTINCT_SERVICE_MODIFIERS | ANATOMIC_MODIFIERS

ModifierIndicator = Literal["0", "1", "9"]


@dataclass(frozen=True)
class PtpEdit:
    """One column 1 / column 2 pair: column 2 is not paid with column 1 on the same day, same provider."""

    column1: str
    column2: str
    effective: dt.date
    deleted: dt.date | None  # None: still in force ("*" in the file)
    modifier_indicator: ModifierIndicator
    rationale: str
    prior_to_1996: bool = False

    def in_force_on(self, day: dt.date) -> bool:
        # CMS writes the deletion date as the first day the edit no longer applies.
        return self.effective <= day and (self.deleted is None or day < self.deleted)


@dataclass(frozen=True)
class PtpTable:
    """Every PTP edit of one file, indexed by pair (a pair may have several dated rows)."""

    release: str  # e.g. "CMS NCCI PTP practitioner 2026Q4"
    edits: dict[tuple[str, str], tuple[PtpEdit, ...]]

    def edit_for(self, column1: str, column2: str, day: dt.date) -> PtpEdit | None:
        """The row in force on a day for this ordered pair, if any."""
        return next((edit for edit in self.edits.get((column1, column2), ()) if edit.in_force_on(day)), None)


MueIndicator = Literal["1", "2", "3"]


@dataclass(frozen=True)
class MueValue:
    """Most units of a code one provider reports for one patient: per line (MAI 1) or per day (MAI 2, 3)."""

    code: str
    max_units: int
    adjudication_indicator: MueIndicator
    adjudication_text: str  # as published, e.g. "2 Date of Service Edit: Policy"
    rationale: str

    @property
    def per_day(self) -> bool:
        return self.adjudication_indicator in ("2", "3")


@dataclass(frozen=True)
class MueTable:
    release: str  # e.g. "CMS NCCI MUE practitioner 2026Q4"
    values: dict[str, MueValue]
