"""A payer that bundled lines (TR3 1.10.2.6): every billed line is still found and the claim posts to the cent.

The 835 is X12's own answer to RFI 2278 (three lab lines bundled into the first one's 80050): the bundled
lines name the billed code in SVC06 and its units in SVC07, pay 0 on SVC05 0 units, and CO-97 adjusts
the one with a charge; the paying line is raised by OA-94 -206 (processed in excess of charges). No REF*6R,
so each line is matched by what it says was billed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.remittance.domain import (
    BilledLine,
    ClaimOutcome,
    MatchMethod,
    find_balance_errors,
    parse_835,
    post_claim_payment,
)

from .era_file_builder import single_claim_835
from .test_fixtures_pyx12 import pyx12_errors

D = Decimal
SERVICE_DATE = dt.date(2024, 2, 20)
BUNDLED = [
    "CLP*PCNBUNDLE1*1*496.55*100**12*ACMECCNB01*11*1",
    "NM1*QC*1*DOE*JANE****MI*MEMB0000001",
    "SVC*HC:80050*290.55*100**1", "DTM*472*20240220", "CAS*OA*94*-206", "CAS*CO*45*396.55", "AMT*B6*100",
    "SVC*HC:80050*206*0**0*HC:84453*1", "DTM*472*20240220", "CAS*CO*97*206*1",
    "SVC*HC:80050*0*0**0*HC:85025*1", "DTM*472*20240220",
]
BILLED = [
    BilledLine("PCNBUNDLE1-1", "80050", (), D(1), D("290.55"), SERVICE_DATE),
    BilledLine("PCNBUNDLE1-2", "84453", (), D(1), D("206"), SERVICE_DATE),
    BilledLine("PCNBUNDLE1-3", "85025", (), D(1), D("0"), SERVICE_DATE),
]


def bundled_835() -> str:
    return single_claim_835(BUNDLED, "100")


def test_the_bundled_835_is_valid_for_pyx12(tmp_path):
    path = tmp_path / "bundled.835"
    path.write_text(bundled_835())
    assert pyx12_errors(str(path)) == (True, [])


def test_bundled_lines_balance_and_each_matches_its_billed_line():
    (era,) = parse_835(bundled_835())
    assert find_balance_errors(era) == []
    posting = post_claim_payment(era.claims[0], BILLED)
    assert [(m.billed.line_control_number, m.method, m.code_changed) for m in posting.matching.matches] == [
        ("PCNBUNDLE1-1", MatchMethod.CODE_MODIFIERS_UNITS_DATE, False),
        ("PCNBUNDLE1-2", MatchMethod.CODE_MODIFIERS_UNITS_DATE, True),
        ("PCNBUNDLE1-3", MatchMethod.CODE_MODIFIERS_UNITS_DATE, True),
    ]
    assert posting.matching.unmatched == () and posting.matching.unpaid_billed_lines == ()


def test_a_bundled_claim_posts_to_the_cent_and_the_bundling_nets_out():
    (era,) = parse_835(bundled_835())
    posting = post_claim_payment(era.claims[0], BILLED)
    assert [(e.kind.value, e.group_code, e.reason_code, e.amount, e.line_control_number) for e in posting.entries] \
        == [("payment", None, None, D("100.00"), "PCNBUNDLE1-1"),
            ("other_adjustment", "OA", "94", D("-206.00"), "PCNBUNDLE1-1"),
            ("contractual", "CO", "45", D("396.55"), "PCNBUNDLE1-1"),
            ("contractual", "CO", "97", D("206.00"), "PCNBUNDLE1-2")]
    totals = posting.totals
    assert (totals.billed, totals.paid, totals.unexplained, totals.patient_responsibility) == \
        (D("496.55"), D("100.00"), 0, 0)
    assert totals.denied == 0  # CO-97 on the bundled line is what OA-94 added to the paying one
    # The bundled line still reads as refused on its own (CO-97 is worked like a denial: appeal with 59/XS).
    assert posting.outcome is ClaimOutcome.PARTIALLY_PAID


def test_without_svc06_the_bundled_lines_wait_with_their_candidates():
    text = bundled_835().replace("**0*HC:84453*1~", "**0~").replace("**0*HC:85025*1~", "**0~")
    (era,) = parse_835(text)
    matching = post_claim_payment(era.claims[0], BILLED).matching
    assert [m.billed.line_control_number for m in matching.matches] == ["PCNBUNDLE1-1"]
    assert [u.line_index for u in matching.unmatched] == [1, 2]
    # the line with a charge names the billed line of that charge and date as its candidate
    assert [b.line_control_number for b in matching.unmatched[0].candidates] == ["PCNBUNDLE1-2"]
