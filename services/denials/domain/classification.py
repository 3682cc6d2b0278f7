"""Denial classification from CARC and group code, kept as data (carc_categories.json).

An unknown CARC is kept with its raw code and classified `unknown` for human review, never dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("carc_categories.json")
# Patient-responsibility and contractual write-downs are not denials of payment by themselves.
NON_DENIAL = {("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3")}


@dataclass(frozen=True)
class DenialClassification:
    category: str
    root_cause: str
    preventable: bool
    recommended_action: str
    recoverability: float
    reason_codes: tuple[str, ...]


@cache
def _table() -> dict:
    return json.loads(_DATA.read_text())


def classify(adjustments: list[tuple[str, str, Decimal]]) -> DenialClassification:
    """Classify by the largest denying adjustment (group, CARC, amount)."""
    denying = [(g, c, a) for g, c, a in adjustments if (g, c) not in NON_DENIAL and a > 0]
    table = _table()
    codes = tuple(dict.fromkeys(f"{g}-{c}" for g, c, _ in denying))  # once each, in order of appearance
    if not denying:
        category = table["categories"]["unknown"]
        return DenialClassification("unknown", "no denying adjustment on the remittance", False,
                                    category["action"], category["recoverability"], codes)
    group, carc, _amount = max(denying, key=lambda item: item[2])
    entry = table["codes"].get(carc)
    name = entry["category"] if entry else "unknown"
    category = table["categories"][name]
    root_cause = entry["description"] if entry else f"CARC {carc} is not in our table"
    return DenialClassification(name, f"{group}-{carc}: {root_cause}", bool(entry and entry["preventable"]),
                                category["action"], category["recoverability"], codes)
