"""Code references as the ICD-10-CM tabular and CMS lists write them: "J20.-", "A04.0-A04.4", "Q20-Q26".

A reference names one code and everything under it ("A05.-" or "B92") or an inclusive range whose
ends compare at their own length ("Q20-Q26" holds every code of categories Q20 through Q26).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE = r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?"
_SINGLE = re.compile(rf"^({CODE})(?:\.?-)?$")
_RANGE = re.compile(rf"^({CODE})(?:\.?-)?\s*-\s*({CODE})(?:\.?-)?$")
_PARENTHESISED = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class CodeRange:
    """An inclusive span of dotless codes; a single reference has low == high."""

    low: str
    high: str

    def __contains__(self, code: str) -> bool:
        return code[:len(self.low)] >= self.low and code[:len(self.high)] <= self.high

    def __str__(self) -> str:
        return self.low if self.low == self.high else f"{self.low}-{self.high}"


def parse_reference(text: str) -> CodeRange | None:
    """One reference ("E11.6", "A05.-", "Q20-Q26"), or None when the text is not one."""
    text = text.strip().upper()
    if match := _RANGE.match(text):
        return CodeRange(match[1].replace(".", ""), match[2].replace(".", ""))
    if match := _SINGLE.match(text):
        code = match[1].replace(".", "")
        return CodeRange(code, code)
    return None


def parse_references(items: str) -> tuple[CodeRange, ...]:
    """Every reference in a comma-separated list such as "J09.X3, J10.2, J11.2"."""
    found = (parse_reference(item) for item in items.split(","))
    return tuple(reference for reference in found if reference is not None)


def references_in_note(note: str) -> tuple[CodeRange, ...]:
    """The code references in the parentheses of a tabular note ("acute bronchitis (J20.-)")."""
    return tuple(reference for group in _PARENTHESISED.findall(note) for reference in parse_references(group))
