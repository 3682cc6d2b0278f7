"""An 835 claim payment is matched to the billed version it answers, not to whichever version was sent last."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.remittance.domain.claim_versions import BilledVersion, version_answered
from services.remittance.domain.line_matching import BilledLine
from services.remittance.domain.posting import post_claim_payment

from .ledger_scenarios import claim_payment

D = Decimal


def version(number: int, payer: str = "SIMDNY", frequency: str = "1") -> BilledVersion:
    lines = tuple(BilledLine(f"PCN-{number}-{i}", code, (), D(1), D(charge), dt.date(2026, 11, 2))
                  for i, (code, charge) in enumerate((("99214", "185.00"), ("80053", "42.00")), start=1))
    return BilledVersion(number, payer, frequency, lines)


VERSIONS = [version(1), version(2, frequency="7")]
POSTED = {"DNY1": 1}  # CLP07 of version 1's posted denial

# (case, line control numbers sent back, CLP07, REF*F8, version answered)
CASES = [
    ("REF*6R of version 1 after version 2 was sent", ("PCN-1-1", "PCN-1-2"), "NEW1", None, 1),
    ("REF*6R of version 2", ("PCN-2-1", "PCN-2-2"), "NEW2", None, 2),
    ("REF*6R wins over a CLP07 seen before", ("PCN-2-1", None), "DNY1", None, 2),
    ("no REF*6R, CLP07 posted for version 1 (a reversal)", (None, None), "DNY1", None, 1),
    ("no REF*6R, REF*F8 cites version 1's adjudication: the replacement", (None, None), "NEW2", "DNY1", 2),
    ("REF*F8 citing nothing known, no REF*6R: the latest version", (None, None), "NEW3", "UNKNOWN", 2),
    ("unknown line numbers only: the latest version", ("OTHER-1", "OTHER-2"), "NEW4", None, 2),
]


@pytest.mark.parametrize(("case", "numbers", "ccn", "f8", "expected"), CASES, ids=[c[0] for c in CASES])
def test_version_answered(case: str, numbers: tuple, ccn: str, f8: str | None, expected: int) -> None:
    claim = claim_payment("1", [(numbers[0], "185.00", "148.00", "CO-45 37.00"),
                                (numbers[1], "42.00", "33.60", "CO-45 8.40")], ccn=ccn, original_reference=f8)
    assert version_answered(claim, VERSIONS, POSTED).claim_version == expected


def test_a_late_answer_to_version_1_posts_against_version_1s_lines() -> None:
    claim = claim_payment("4", [("PCN-1-1", "185.00", "0", "CO-4 185.00"), ("PCN-1-2", "42.00", "0", "CO-50 42.00")],
                          ccn="DNY1")
    answered = version_answered(claim, VERSIONS, {})
    posting = post_claim_payment(claim, answered.lines)
    assert [line.billed_line.line_control_number for line in posting.lines if line.billed_line] == \
        ["PCN-1-1", "PCN-1-2"]
    assert posting.matching.unmatched == ()


def test_a_claim_without_versions_is_refused() -> None:
    with pytest.raises(ValueError):
        version_answered(claim_payment("1", [("X", "1.00", "1.00", "")]), [], {})
