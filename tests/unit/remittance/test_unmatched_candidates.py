"""Candidates for a claim payment whose CLP01 matches nothing: two shared signs or more, most signs first."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from services.remittance.domain import BilledLine
from services.remittance.domain.unmatched import BilledClaimSummary, candidates

from .fixture_files import parse_fixture

FEB_20 = dt.date(2024, 2, 20)
LINES = (BilledLine("L-1", "99213", (), Decimal(1), Decimal(150), FEB_20),
         BilledLine("L-2", "80053", (), Decimal(1), Decimal(100), FEB_20),
         BilledLine("L-3", "71046", (), Decimal(1), Decimal(200), FEB_20))


def _claim():
    return parse_fixture("payment_deductible_coinsurance_copay.835")[0].claims[0]  # PCN1001, 450.00, Feb 20


def _billed(claim_id, pcn="OTHER", billed="450", lines=LINES):
    return BilledClaimSummary(claim_id, pcn, "ACME", Decimal(billed), lines)


def test_a_claim_sharing_every_sign_comes_first():
    found = candidates(_claim(), [_billed("weak", billed="999"), _billed("strong", pcn="PCN1001XYZ")])
    assert [c.claim_id for c in found] == ["strong", "weak"]
    assert found[0].reasons == ("same total charge", "same date of service", "same procedure codes",
                                "patient control number prefix")
    assert found[1].reasons == ("same date of service", "same procedure codes")


def test_one_shared_sign_is_not_a_candidate():
    other_day = tuple(replace(line, service_date=dt.date(2024, 3, 1), procedure_code="99999") for line in LINES)
    assert candidates(_claim(), [_billed("charge-only", lines=other_day)]) == []
