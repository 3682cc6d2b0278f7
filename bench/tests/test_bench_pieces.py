"""The bench's own pure pieces: the generated 835, percentiles, py-spy's collapsed stacks, the table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from bench.era.generate import billed_claims, era_file
from bench.profile import top_frames
from bench.stack_access import percentile
from bench.table import rows
from services.remittance.domain.balancing import find_balance_errors
from services.remittance.domain.era_parser import parse_835
from tests.e2e.x12_documents import pyx12_errors

DAY = dt.date(2026, 11, 20)


def test_generated_835_parses_balances_and_pays_every_claim():
    [remittance] = parse_835(era_file(25, DAY))
    assert len(remittance.claims) == 25
    assert find_balance_errors(remittance) == []
    assert remittance.payment.total_paid == sum(claim.paid for claim in remittance.claims)


def test_generated_835_with_payer_contact_passes_pyx12():
    assert pyx12_errors(era_file(3, DAY, payer_contact=True)) == []


def test_billed_claims_match_the_file_by_patient_control_number_and_charge():
    [remittance] = parse_835(era_file(4, DAY))
    billed = billed_claims(4, "t", DAY)
    assert [b["patient_control_number"] for b in billed] == [c.patient_control_number for c in remittance.claims]
    assert all(b["billed"] == c.total_charge == Decimal("227.00") for b, c in zip(billed, remittance.claims,
                                                                                   strict=True))


@pytest.mark.parametrize(("values", "fraction", "expected"), [
    ([], 0.5, None), ([3.0], 0.99, 3.0), ([float(v) for v in range(1, 101)], 0.5, 50.0),
    ([float(v) for v in range(1, 101)], 0.99, 99.0), ([5.0, 1.0, 3.0], 1.0, 5.0),
])
def test_percentile_is_nearest_rank(values, fraction, expected):
    assert percentile(values, fraction) == expected


def test_top_frames_sums_self_time_per_function_across_lines(tmp_path: Path):
    collapsed = tmp_path / "profile.txt"
    collapsed.write_text("main (services/x/app.py:3);parse (shared/x12/tokenizer.py:10) 30\n"
                         "main (services/x/app.py:3);parse (shared/x12/tokenizer.py:12) 10\n"
                         "main (services/x/app.py:4);write (asyncio/selector_events.py:9) 60\n")
    frames = top_frames(collapsed)
    assert frames["self"][0] == ("write (asyncio/selector_events.py)", 60.0)
    assert ("parse (shared/x12/tokenizer.py)", 40.0) in frames["self"]
    assert frames["inclusive"][0] == ("main (services/x/app.py)", 100.0)


def test_table_marks_a_missed_target_and_a_met_one():
    era = {"claims": 10, "parse": [{"peer": "claimline", "claims": 10, "wall_seconds": 1, "cpu_seconds": 0.01},
                                   {"peer": "pyx12", "claims": 10, "wall_seconds": 1, "cpu_seconds": 1}],
           "post": {"outcome": "posted", "claims": 10, "wall_seconds": 1, "cpu_seconds": 0.5}}
    slow = {"threads": 2, "connections": 16, "non_2xx": 0, "requests_per_second": 100.0, "p50_ms": 5.0,
            "p99_ms": 9.0}
    fast = {**slow, "requests_per_second": 1600.0, "p99_ms": 40.0}
    table = {row[0]: row for row in rows({"era": era, "intake": slow, "intake_api_alone": fast})}
    assert table["835 parse: claimline / faster peer (CPU time)"][1:] == ("100.0x", ">= 10x", "yes")
    assert table["835 post via remittance's service layer, 10 claims (posted)"][3] == "NO"
    assert table["intake POST /v1/encounters, one process with its workers and the pipeline running, "
                 "wrk -t2 -c16 (0 non-2xx)"][3] == "NO"
    assert table["intake POST /v1/encounters, API process (workers in another), wrk -t2 -c16 (0 non-2xx)"][3] == "yes"
