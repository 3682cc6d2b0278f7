"""Procedure relationships kept as data: add-on codes with their primaries, minor procedures' global days."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AddOnCode:
    """An add-on code ("list separately in addition to") and the primary codes it may be reported with."""

    code: str
    primaries: frozenset[str]


@dataclass(frozen=True)
class ProcedureRules:
    add_on_source: str
    add_on_codes: dict[str, AddOnCode]
    minor_procedure_source: str
    minor_procedures: dict[str, int]  # code -> global days (0 or 10)
