"""Billing the secondary payer after the primary's 835: 2000B SBR*S, 2320/2330A/2330B with amounts, 2430."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from claim_corpus import interchange_header
from cob_balance import assert_837_balances
from secondary_claim_corpus import secondary_claims
from submission_837p_segments import blocks_by_control_number, claim_blocks, example_encounter, segments_of
from submission_pyx12 import pyx12_errors_in_parallel

from services.submission.domain import (
    BillableClaim,
    CasAdjustment,
    InvalidBillableClaim,
    PriorLineAdjudication,
    PriorPayerAdjudication,
    write_837p,
)
from services.submission.domain.x12_values import x12_amount, x12_decimal

SECONDARY_CORPUS_SIZE = 48
CLAIMS_PER_FILE = 16
ADJUDICATED_ON = dt.date(2026, 11, 10)


def _two_coverage_encounter(**changes: object):
    encounter = example_encounter(**changes)
    primary = encounter.coverages[0].model_dump(mode="json")
    secondary = {
        **primary,
        "priority": "secondary",
        "payer": {"payer_id": "MCD77", "name": "State Medicaid Program"},
        "member_id": "MCD123456",
        "claim_filing_indicator": "MC",
    }
    return example_encounter(coverages=[primary, secondary], **changes)


def _line_adjudicated_claim() -> BillableClaim:
    encounter = _two_coverage_encounter()
    charges = [line.charge for line in encounter.service_lines]
    numbers = [f"L{n}" for n in range(1, len(charges) + 1)]
    lines = []
    for number, charge in zip(numbers, charges, strict=True):
        adjustments = [CasAdjustment("CO", "45", Decimal("20.00")), CasAdjustment("PR", "2", Decimal("5.00"))]
        lines.append(PriorLineAdjudication(number, charge - Decimal("25.00"), adjustments))
    paid = sum((line.paid for line in lines), Decimal("0")) - Decimal("1.00")
    adjudication = PriorPayerAdjudication(
        "SIMPAY", "Simulated Health Plan", paid, ADJUDICATED_ON, [("CO", "253", Decimal("1.00"))], lines
    )
    return BillableClaim("SEC1", "1", encounter, numbers, prior_payer_adjudication=adjudication)


def _block(claim: BillableClaim) -> list[list[str]]:
    return claim_blocks(segments_of(write_837p(interchange_header(), [claim])))[0]


def test_secondary_is_the_destination_payer_and_primary_moves_to_2320() -> None:
    claim = _line_adjudicated_claim()
    segments = segments_of(write_837p(interchange_header(), [claim]))
    subscriber_sbr = next(s for s in segments if s[0] == "SBR")
    assert subscriber_sbr[1] == "S" and subscriber_sbr[9] == "MC"
    payer = next(s for s in segments if s[:2] == ["NM1", "PR"])
    assert payer[9] == "MCD77"
    block = claim_blocks(segments)[0]
    other = [s for s in block if s[0] == "SBR"]
    assert len(other) == 1 and other[0][1] == "P" and other[0][2] == "18"
    start = block.index(other[0])
    loop_2320 = [s[:2] for s in block[start : start + 5]]
    assert loop_2320 == [["SBR", "P"], ["CAS", "CO"], ["AMT", "D"], ["OI", ""], ["NM1", "IL"]]
    assert block[start + 1] == ["CAS", "CO", "253", "1"]
    other_payer = next(s for s in block[start:] if s[:2] == ["NM1", "PR"])
    assert other_payer[8:] == ["PI", "SIMPAY"]
    # With line detail the adjudication date travels per line, not in 2330B.
    assert block[block.index(other_payer) + 1][0] == "LX"


def test_2430_per_line_paid_adjustments_date_and_patient_liability() -> None:
    claim = _line_adjudicated_claim()
    block = _block(claim)
    svds = [i for i, s in enumerate(block) if s[0] == "SVD"]
    assert len(svds) == len(claim.encounter.service_lines)
    for at, line in zip(svds, claim.encounter.service_lines, strict=True):
        procedure = ":".join(["HC", line.procedure_code, *line.modifiers])
        paid = x12_amount(line.charge - Decimal("25.00"))
        assert block[at] == ["SVD", "SIMPAY", paid, procedure, "", x12_decimal(line.units)]
        assert block[at + 1 : at + 5] == [
            ["CAS", "CO", "45", "20"],
            ["CAS", "PR", "2", "5"],
            ["DTP", "573", "D8", "20261110"],
            ["AMT", "EAF", "5"],
        ]


def test_claim_level_only_adjudication_states_liability_and_date_in_2320() -> None:
    encounter = _two_coverage_encounter()
    total = encounter.total_charge
    adjustments = [CasAdjustment("CO", "45", Decimal("30.00")), CasAdjustment("PR", "1", Decimal("40.00"))]
    adjudication = PriorPayerAdjudication(
        "SIMPAY", "Simulated Health Plan", total - Decimal("70.00"), ADJUDICATED_ON, adjustments
    )
    numbers = [f"L{n}" for n in range(1, len(encounter.service_lines) + 1)]
    block = _block(BillableClaim("SEC2", "1", encounter, numbers, prior_payer_adjudication=adjudication))
    assert ["CAS", "CO", "45", "30"] in block and ["CAS", "PR", "1", "40"] in block
    assert ["AMT", "D", x12_amount(total - 70)] in block
    assert ["AMT", "EAF", "40"] in block
    assert ["DTP", "573", "D8", "20261110"] in block
    assert not any(s[0] == "SVD" for s in block)
    assert not any(s[:2] == ["REF", "F8"] for s in block)


def test_primary_claim_control_number_follows_the_other_payer_name() -> None:
    claim = _line_adjudicated_claim()
    adjudication = dataclasses.replace(claim.prior_payer_adjudication, claim_control_number="ICN-0042")
    block = _block(dataclasses.replace(claim, prior_payer_adjudication=adjudication))
    other_payer_at = next(i for i, s in enumerate(block) if s[:2] == ["NM1", "PR"])
    assert block[other_payer_at + 1] == ["REF", "F8", "ICN-0042"]


def test_cas_packs_up_to_six_reasons_per_group_with_empty_quantities() -> None:
    encounter = _two_coverage_encounter()
    reasons = [CasAdjustment("PR", str(n), Decimal("1.00")) for n in range(1, 7)]
    adjudication = PriorPayerAdjudication(
        "SIMPAY", "Simulated Health Plan", encounter.total_charge - 6, ADJUDICATED_ON, reasons
    )
    numbers = [f"L{n}" for n in range(1, len(encounter.service_lines) + 1)]
    block = _block(BillableClaim("SEC3", "1", encounter, numbers, prior_payer_adjudication=adjudication))
    cas = next(s for s in block if s[0] == "CAS")
    assert cas == ["CAS", "PR", "1", "1", "", "2", "1", "", "3", "1", "", "4", "1", "", "5", "1", "", "6", "1"]


def test_tertiary_coverage_keeps_a_2320_without_amounts() -> None:
    encounter = _two_coverage_encounter()
    coverages = [c.model_dump(mode="json") for c in encounter.coverages]
    tertiary = {
        **coverages[1],
        "priority": "tertiary",
        "payer": {"payer_id": "VA01", "name": "VA"},
        "claim_filing_indicator": "VA",
    }
    encounter = example_encounter(coverages=[*coverages, tertiary])
    adjudication = PriorPayerAdjudication("SIMPAY", "Simulated Health Plan", encounter.total_charge, ADJUDICATED_ON)
    numbers = [f"L{n}" for n in range(1, len(encounter.service_lines) + 1)]
    block = _block(BillableClaim("SEC4", "1", encounter, numbers, prior_payer_adjudication=adjudication))
    assert [s[1] for s in block if s[0] == "SBR"] == ["P", "T"]
    tertiary_at = next(i for i, s in enumerate(block) if s[:2] == ["SBR", "T"])
    assert block[tertiary_at + 1][0] == "OI"


def _numbers(encounter) -> list[str]:
    return [f"L{n}" for n in range(1, len(encounter.service_lines) + 1)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("paid_total_off_by_a_cent", "claim charge less all adjustments"),
        ("line_paid_off_by_a_cent", r"lines\[0\]: charge less adjustments"),
        ("unknown_line", "does not have"),
        ("missing_line", "every service line or none"),
        ("no_secondary", "needs a secondary coverage"),
    ],
)
def test_unbalanced_or_mismatched_adjudications_are_refused(change: str, message: str) -> None:
    encounter = _two_coverage_encounter()
    numbers = _numbers(encounter)
    charges = [line.charge for line in encounter.service_lines]
    lines = [PriorLineAdjudication(n, c) for n, c in zip(numbers, charges, strict=True)]
    paid = encounter.total_charge
    if change == "paid_total_off_by_a_cent":
        paid -= Decimal("0.01")
    elif change == "line_paid_off_by_a_cent":
        lines[0] = PriorLineAdjudication(numbers[0], charges[0] - Decimal("0.01"))
    elif change == "unknown_line":
        lines[0] = PriorLineAdjudication("NOT-OURS", charges[0])
    elif change == "missing_line":
        lines = lines[1:]
        paid -= charges[0]
    elif change == "no_secondary":
        encounter = example_encounter()
    adjudication = PriorPayerAdjudication("SIMPAY", "Simulated Health Plan", paid, ADJUDICATED_ON, (), lines)
    with pytest.raises(InvalidBillableClaim, match=message):
        BillableClaim("SEC5", "1", encounter, numbers, prior_payer_adjudication=adjudication)


@pytest.mark.parametrize(
    ("adjustment", "message"),
    [
        (("XX", "45", Decimal("1")), "group must be one of"),
        (("CO", "", Decimal("1")), "reason must be"),
        (("CO", "45", Decimal("1.005")), "whole cents"),
    ],
)
def test_malformed_adjustments_are_refused(adjustment, message: str) -> None:
    with pytest.raises(InvalidBillableClaim, match=message):
        PriorPayerAdjudication("SIMPAY", "Simulated Health Plan", Decimal("1"), ADJUDICATED_ON, [adjustment])


def test_claims_without_adjudication_are_unchanged_primary_bills() -> None:
    encounter = _two_coverage_encounter()
    block = _block(BillableClaim("PRI1", "1", encounter, _numbers(encounter)))
    assert [s[1] for s in block if s[0] == "SBR"] == ["S"]
    assert not any(s[0] in ("CAS", "AMT", "SVD") for s in block)


def test_secondary_corpus_balances_as_the_tr3_requires() -> None:
    claims = secondary_claims(SECONDARY_CORPUS_SIZE)
    blocks = blocks_by_control_number(segments_of(write_837p(interchange_header(), claims)))
    assert any(c.prior_payer_adjudication.has_line_detail for c in claims)
    assert any(not c.prior_payer_adjudication.has_line_detail for c in claims)
    assert any(c.prior_payer_adjudication.claim_adjustments and c.prior_payer_adjudication.lines for c in claims)
    for claim in claims:
        assert_837_balances(blocks[claim.patient_control_number], line_charge_segment="SV1", charge_element=2)


def test_secondary_corpus_passes_pyx12(tmp_path: Path) -> None:
    claims = secondary_claims(SECONDARY_CORPUS_SIZE)
    paths = []
    for batch, start in enumerate(range(0, len(claims), CLAIMS_PER_FILE), start=1):
        path = tmp_path / f"secondary_{batch:03d}.837"
        path.write_text(write_837p(interchange_header(batch), claims[start : start + CLAIMS_PER_FILE]))
        paths.append(str(path))
    errors = pyx12_errors_in_parallel(paths, workers=min(len(paths), os.cpu_count() or 2))
    assert errors == [], "\n".join(errors[:50])


def test_adjudication_accepts_the_plain_tuples_an_835_reader_produces() -> None:
    typed = _line_adjudicated_claim().prior_payer_adjudication
    assert typed is not None
    plain = PriorPayerAdjudication(
        typed.payer_id,
        typed.payer_name,
        str(typed.paid_total),
        typed.adjudication_date,
        [tuple(a) for a in typed.claim_adjustments],
        [(line.line_control_number, line.paid, [tuple(a) for a in line.adjustments]) for line in typed.lines],
    )
    assert plain == typed
    assert plain.patient_liability == Decimal("5.00") * len(typed.lines)
