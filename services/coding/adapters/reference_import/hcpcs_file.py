"""Read the CMS HCPCS Level II quarterly public file in its Excel-to-CSV record layout.

The quarterly zip (e.g. "HCPC2026_OCT_ANWEB.zip") carries the same records as fixed-width text, an
Excel workbook and its record layout. We read the workbook saved as CSV: one header row naming the
48 columns (HCPC, SEQNUM, RECID, LONG DESCRIPTION, SHORT DESCRIPTION, PRICE1-4, MULT_PI, CIM1-3,
MCM1-3, STATUTE, LABCERT1-8, XREF1-5, COV, ASC_GRP, ASC_DT, OPPS, OPPS_PI, OPPS_DT, PROCNOTE, BETOS,
TOS1-5, ANEST_BU, ADD DT, ACT EFF DT, TERM DT, ACTION CD), then one row per record. RECID 3 is a
procedure's first record and 4 its continuation (long descriptions run over several rows); 7 and 8
are the same for modifiers, which we skip. Dates are YYYYMMDD; an empty TERM DT means still active.
"""

from __future__ import annotations

import csv
import datetime as dt
import re

from services.coding.domain.codesets import HcpcsCode, HcpcsCodeSet

_PROCEDURE_FIRST = "3"


class HcpcsImportError(ValueError):
    """The file is not in the CMS HCPCS record layout."""


def _column_key(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def _date(value: str, row: int, column: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError as error:
        raise HcpcsImportError(f"row {row}: {column} {value!r} is not a YYYYMMDD date") from error


def read_hcpcs_csv(text: str, release: str, complete: bool) -> HcpcsCodeSet:
    """A code set from the CSV form of the quarterly file; `complete` says whether it is the whole file."""
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if header is None:
        raise HcpcsImportError("the file is empty")
    index = {_column_key(name): position for position, name in enumerate(header)}
    needed = ("HCPC", "RECID", "SHORTDESCRIPTION", "ADDDT", "TERMDT")
    missing = [name for name in needed if name not in index]
    if missing:
        raise HcpcsImportError(f"not the HCPCS record layout: missing columns {', '.join(missing)}")
    codes: dict[str, HcpcsCode] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise HcpcsImportError(f"row {number}: {len(row)} columns, the layout has {len(header)}")
        record = row[index["RECID"]].strip()
        if record != _PROCEDURE_FIRST:
            continue  # continuations (4) only extend the long description; modifiers (7, 8) are not codes
        code = row[index["HCPC"]].strip().upper()
        codes[code] = HcpcsCode(
            code=code,
            short_description=row[index["SHORTDESCRIPTION"]].strip(),
            added=_date(row[index["ADDDT"]], number, "ADD DT"),
            terminated=_date(row[index["TERMDT"]], number, "TERM DT"),
        )
    return HcpcsCodeSet(release, codes, complete)
