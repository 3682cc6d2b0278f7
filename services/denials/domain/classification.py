"""Denial classification from CARC, RARC and group code, kept as data beside this module.

carc_categories.json maps each CARC to a category, a preventable flag and our own short wording;
rarc_remarks.json does the same for remark codes; claim_status_codes.json for 277CA rejections.
An unknown CARC or RARC is kept with its raw code, classified `unknown` when it decides, and always
flags the denial for human review: never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

_HERE = Path(__file__).parent
UNKNOWN = "unknown"
NOT_A_DENIAL = "not_a_denial"
PATIENT_GROUP = "PR"
CATEGORIES = ("eligibility", "authorization", "coding", "medical_necessity", "timely_filing", "duplicate",
              "missing_information", "coordination_of_benefits", "non_covered", UNKNOWN)


class Adjustment(NamedTuple):
    """One CAS adjustment as remittance posted it."""

    group: str
    carc: str
    amount: Decimal
    line_control_number: str | None = None


@dataclass(frozen=True)
class LineDenial:
    """One denying adjustment with its own classification (claim level when the line is None)."""

    line_control_number: str | None
    group_code: str
    reason_code: str
    amount: Decimal
    category: str
    preventable: bool
    description: str

    def as_json(self) -> dict[str, Any]:
        return {"line_control_number": self.line_control_number, "group_code": self.group_code,
                "reason_code": self.reason_code, "amount": f"{self.amount:.2f}", "category": self.category,
                "preventable": self.preventable, "description": self.description}


@dataclass(frozen=True)
class DenialClassification:
    category: str
    root_cause: str
    preventable: bool
    recommended_action: str
    recoverability: float
    reason_codes: tuple[str, ...]
    liability: str = "provider"  # "patient" when the deciding adjustment is group PR
    unknown_codes: tuple[str, ...] = ()  # raw codes our tables do not know, for review
    lines: tuple[LineDenial, ...] = ()

    @property
    def review_required(self) -> bool:
        """A person must look: the deciding code or any code on the denial is unknown to us."""
        return self.category == UNKNOWN or bool(self.unknown_codes)


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((_HERE / name).read_text())


def carc_table() -> dict[str, Any]:
    """Every CARC we know: category, preventable, our description."""
    return _load("carc_categories.json")["codes"]


def rarc_table() -> dict[str, Any]:
    """Every RARC we know: description and, for some, the category they point to."""
    return _load("rarc_remarks.json")["remarks"]


def category_table() -> dict[str, Any]:
    """Per category: recommended action and recoverability (0..1)."""
    return _load("carc_categories.json")["categories"]


def is_denying(group: str, carc: str, amount: Decimal) -> bool:
    """A positive adjustment that refuses payment (pricing and patient share are not denials)."""
    entry = carc_table().get(carc)
    return amount > 0 and not (entry and entry["category"] == NOT_A_DENIAL)


def line_denials(adjustments: Iterable[Adjustment | tuple]) -> tuple[LineDenial, ...]:
    """Each denying adjustment classified on its own, in order of appearance."""
    table = carc_table()
    result = []
    for raw in adjustments:
        item = Adjustment(*raw)
        if not is_denying(item.group, item.carc, item.amount):
            continue
        entry = table.get(item.carc)
        result.append(LineDenial(item.line_control_number, item.group, item.carc, item.amount,
                                 entry["category"] if entry else UNKNOWN, bool(entry and entry["preventable"]),
                                 entry["description"] if entry else f"CARC {item.carc} is not in our table"))
    return tuple(result)


def classify(adjustments: Sequence[Adjustment | tuple], remark_codes: Sequence[str] = ()) -> DenialClassification:
    """Classify by the largest denying adjustment (group, CARC, amount), refined by the remark codes."""
    lines = line_denials(adjustments)
    codes = tuple(dict.fromkeys(f"{d.group_code}-{d.reason_code}" for d in lines))
    remarks = rarc_table()
    unknown = tuple(dict.fromkeys([f"CARC {d.reason_code}" for d in lines if d.category == UNKNOWN
                                   and d.reason_code not in carc_table()]
                                  + [f"RARC {r}" for r in remark_codes if r not in remarks]))
    categories = category_table()
    if not lines:
        return DenialClassification(UNKNOWN, "no denying adjustment on the remittance", False,
                                    categories[UNKNOWN]["action"], categories[UNKNOWN]["recoverability"], codes,
                                    unknown_codes=unknown)
    deciding = max(lines, key=lambda d: d.amount)
    category, preventable = deciding.category, deciding.preventable
    entry = carc_table().get(deciding.reason_code, {})
    pointed = [remarks[r]["category"] for r in remark_codes if r in remarks and "category" in remarks[r]]
    if pointed and (category == UNKNOWN or entry.get("generic")):
        # A generic or unknown CARC says little; the remark names what was actually wrong.
        category, preventable = pointed[0], pointed[0] not in ("medical_necessity", "non_covered")
    causes = [f"{deciding.group_code}-{deciding.reason_code}: {deciding.description}"]
    causes += [f"{r}: {remarks[r]['description']}" for r in remark_codes if r in remarks]
    liability = "patient" if deciding.group_code == PATIENT_GROUP else "provider"
    action = categories[category]["action"]
    if liability == "patient":
        action = f"bill the patient (group PR, patient responsibility); {action}"
    return DenialClassification(category, "; ".join(causes), preventable, action,
                                categories[category]["recoverability"], codes, liability, unknown, lines)


def classify_rejection(stage: str, status_category: str, status_code: str) -> DenialClassification:
    """Classify a front-end rejection (999, or 277CA status category with its status code)."""
    categories = category_table()
    if stage == "999":
        return DenialClassification("missing_information", "the clearinghouse rejected the file's X12 syntax (999)",
                                    True, "fix the claim data the 999 points at and resubmit",
                                    categories["missing_information"]["recoverability"], (f"999-{status_code}",))
    entry = _load("claim_status_codes.json")["status_codes"].get(status_code)
    code = f"{status_category}:{status_code}"
    if entry is None:
        return DenialClassification(UNKNOWN, f"277CA {code}: status code {status_code} is not in our table", False,
                                    categories[UNKNOWN]["action"], categories[UNKNOWN]["recoverability"], (code,),
                                    unknown_codes=(f"277CA {status_code}",))
    category = entry["category"]
    return DenialClassification(category, f"277CA {code}: {entry['description']}", entry["preventable"],
                                f"correct and resubmit as a new original claim; {categories[category]['action']}",
                                categories[category]["recoverability"], (code,))
