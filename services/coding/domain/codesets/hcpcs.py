"""HCPCS Level II codes by date of service, as the CMS quarterly public file lists them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Level II: a letter CMS uses (no F, I, N, O, W-Z) and four digits; "D" codes are ADA CDT.
LEVEL_II = re.compile(r"^[A-EGHJ-MP-V][0-9]{4}$")


@dataclass(frozen=True)
class HcpcsCode:
    """One Level II code: its short descriptor and the dates CMS added and terminated it."""

    code: str
    short_description: str
    added: dt.date | None
    terminated: dt.date | None = None  # last day it may be billed

    def active_on(self, day: dt.date) -> bool:
        return (self.added is None or self.added <= day) and (self.terminated is None or day <= self.terminated)


@dataclass(frozen=True)
class HcpcsCodeSet:
    """The loaded Level II file; `complete` is False for an extract, where an absent code proves nothing."""

    release: str  # e.g. "CMS HCPCS 2026 October file (extract)"
    codes: dict[str, HcpcsCode]
    complete: bool

    def lookup(self, code: str) -> HcpcsCode | None:
        return self.codes.get(code)


def is_level_ii(code: str) -> bool:
    return bool(LEVEL_II.match(code))
