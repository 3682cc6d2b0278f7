"""CPT by format and family only: descriptors are AMA-licensed and come from the practice's own file.

Categories (AMA CPT code structure): Category I is five digits, or four digits and A for vaccine
product codes; Category II (performance measures) four digits and F; Category III (emerging
technology) four digits and T; Proprietary Laboratory Analyses four digits and U; multianalyte
assays four digits and M.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

CptCategory = Literal["category_i", "category_ii", "category_iii", "pla", "maaa"]
_CATEGORIES: tuple[tuple[re.Pattern[str], CptCategory], ...] = (
    (re.compile(r"^[0-9]{5}$"), "category_i"),
    (re.compile(r"^[0-9]{4}A$"), "category_i"),
    (re.compile(r"^[0-9]{4}F$"), "category_ii"),
    (re.compile(r"^[0-9]{4}T$"), "category_iii"),
    (re.compile(r"^[0-9]{4}U$"), "pla"),
    (re.compile(r"^[0-9]{4}M$"), "maaa"),
)

# Evaluation and management families (CPT E/M section; office/outpatient per the 2021 guidelines,
# the others per the 2023 revisions). Ranges are inclusive code numbers.
EM_FAMILIES: dict[str, tuple[tuple[int, int], ...]] = {
    "office or other outpatient": ((99202, 99205), (99211, 99215)),
    "hospital inpatient or observation": ((99221, 99223), (99231, 99236), (99238, 99239)),
    "consultation": ((99242, 99245), (99252, 99255)),
    "emergency department": ((99281, 99285),),
    "critical care": ((99291, 99292),),
    "nursing facility": ((99304, 99310), (99315, 99316)),
    "home or residence": ((99341, 99350),),
    "preventive medicine": ((99381, 99387), (99391, 99397)),
}


def cpt_category(code: str) -> CptCategory | None:
    """The CPT category a code's format puts it in, or None when it is not a CPT code."""
    return next((category for pattern, category in _CATEGORIES if pattern.match(code)), None)


def em_family(code: str) -> str | None:
    """The E/M family of a Category I code, or None when the code is not E/M."""
    if not code.isdigit():
        return None
    number = int(code)
    return next((family for family, spans in EM_FAMILIES.items()
                 if any(low <= number <= high for low, high in spans)), None)


@dataclass(frozen=True)
class CptDescriptorFile:
    """A practice's licensed CPT descriptors, loaded through the importer; empty when none is loaded."""

    name: str
    descriptors: dict[str, str]

    @property
    def loaded(self) -> bool:
        return bool(self.descriptors)
