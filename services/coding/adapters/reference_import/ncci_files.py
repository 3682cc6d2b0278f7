"""Read the CMS NCCI quarterly files in their published layouts: PTP edits and MUE values.

PTP (e.g. "ccipra-v324r0-f1.TXT", practitioner edits, four files a quarter): tab-separated, after
copyright and header lines, with the columns Column 1, Column 2, "*=in existence prior to 1996",
Effective Date (YYYYMMDD), Deletion Date ("*" = not deleted), Modifier indicator (0 not allowed,
1 allowed, 9 not applicable) and PTP Edit Rationale.

MUE (e.g. "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"): CSV whose disclaimer lines precede a
header row starting "HCPCS/CPT Code", then HCPCS/CPT Code, Practitioner Services MUE Values, MUE
Adjudication Indicator (e.g. "2 Date of Service Edit: Policy") and MUE Rationale.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import cast

from services.coding.domain.codesets import MueTable, MueValue, PtpEdit, PtpTable
from services.coding.domain.codesets.ncci import ModifierIndicator, MueIndicator

_CODE = re.compile(r"^[0-9A-Z]{5}$")
_DATE = re.compile(r"^[0-9]{8}$")


class NcciImportError(ValueError):
    """A row of an NCCI file does not follow the published layout."""


def _date(value: str, line: int) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError as error:
        raise NcciImportError(f"line {line}: {value!r} is not a YYYYMMDD date") from error


def _is_ptp_row(fields: list[str]) -> bool:
    return len(fields) >= 6 and bool(_CODE.match(fields[0])) and bool(_CODE.match(fields[1])) \
        and bool(_DATE.match(fields[3]))


def read_ptp_rows(text: str) -> list[PtpEdit]:
    """The edits of one PTP file; copyright and header lines are skipped."""
    edits = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = [field.strip() for field in line.split("\t")]
        if not _is_ptp_row(fields):
            continue
        deleted = fields[4]
        indicator = fields[5]
        if indicator not in ("0", "1", "9"):
            raise NcciImportError(f"line {number}: modifier indicator {indicator!r} is not 0, 1 or 9")
        if deleted != "*" and not _DATE.match(deleted):
            raise NcciImportError(f"line {number}: deletion date {deleted!r} is neither YYYYMMDD nor '*'")
        edits.append(PtpEdit(
            column1=fields[0], column2=fields[1],
            effective=_date(fields[3], number),
            deleted=None if deleted == "*" else _date(deleted, number),
            modifier_indicator=cast(ModifierIndicator, indicator),  # checked above
            rationale=fields[6] if len(fields) > 6 else "",
            prior_to_1996=fields[2] == "*",
        ))
    return edits


def build_ptp_table(release: str, files: Iterable[str]) -> PtpTable:
    """One table from the quarter's files (practitioner edits come split over several)."""
    by_pair: dict[tuple[str, str], list[PtpEdit]] = defaultdict(list)
    for text in files:
        for edit in read_ptp_rows(text):
            by_pair[(edit.column1, edit.column2)].append(edit)
    if not by_pair:
        raise NcciImportError("no PTP edit rows found: not an NCCI PTP file")
    return PtpTable(release, {pair: tuple(rows) for pair, rows in by_pair.items()})


def read_mue_csv(text: str, release: str) -> MueTable:
    """MUE values by code from the practitioner (or facility) CSV."""
    rows = csv.reader(text.splitlines())
    for row in rows:
        if row and row[0].strip().upper().startswith("HCPCS/CPT CODE"):
            break
    else:
        raise NcciImportError("no 'HCPCS/CPT Code' header row: not an NCCI MUE file")
    values: dict[str, MueValue] = {}
    for number, row in enumerate(rows, start=2):
        if not row or not row[0].strip():
            continue
        if len(row) < 3:
            raise NcciImportError(f"row {number}: expected code, MUE value, adjudication indicator, rationale")
        code, value, adjudication = row[0].strip().upper(), row[1].strip(), row[2].strip()
        indicator = adjudication[:1]
        if not _CODE.match(code) or not value.isdigit() or indicator not in ("1", "2", "3"):
            raise NcciImportError(f"row {number}: {code!r}, {value!r}, {adjudication!r} do not fit the MUE layout")
        values[code] = MueValue(code, int(value), cast(MueIndicator, indicator), adjudication,
                                row[3].strip() if len(row) > 3 else "")
    return MueTable(release, values)
