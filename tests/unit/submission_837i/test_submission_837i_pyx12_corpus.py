"""Every 837I the writer emits, first bills and secondary bills alike, passes pyx12 (X223A2 map) with zero errors."""

from __future__ import annotations

import os
from pathlib import Path

from claim_corpus import interchange_header
from cob_balance import assert_837_balances
from institutional_corpus import institutional_claims
from submission_837p_segments import blocks_by_control_number, segments_of
from submission_pyx12 import pyx12_errors_in_parallel

from services.submission.domain import InstitutionalClaim, write_837i
from services.submission.domain.institutional_claim import INPATIENT_BILL_CLASSES

CORPUS_SIZE = 66
SECONDARY_CORPUS_SIZE = 42
CLAIMS_PER_FILE = 22


def _files(tmp_path: Path, name: str, claims: list[InstitutionalClaim]) -> list[str]:
    paths = []
    for batch, start in enumerate(range(0, len(claims), CLAIMS_PER_FILE), start=1):
        path = tmp_path / f"{name}_{batch:03d}.837"
        path.write_text(write_837i(interchange_header(batch), claims[start : start + CLAIMS_PER_FILE]))
        paths.append(str(path))
    return paths


def test_institutional_corpus_is_broad() -> None:
    claims = institutional_claims(CORPUS_SIZE)
    details = [c.details for c in claims]
    assert {d.type_of_bill for d in details} >= {"0111", "0131", "0117"}
    assert {d.is_inpatient for d in details} == {True, False}
    assert {1, 25} <= {len(d.lines) for d in details}
    assert any(line.procedure_code is None for d in details for line in d.lines)
    assert any(line.procedure_code is not None for d in details for line in d.lines)
    assert any(line.ndc for d in details for line in d.lines)
    assert any(d.admitting_diagnosis for d in details) and any(d.admitting_diagnosis is None for d in details)
    relationships = {c.encounter.primary_coverage.relationship for c in claims}
    assert relationships == {"self", "spouse", "child", "other"}
    assert all(d.type_of_bill[2] in INPATIENT_BILL_CLASSES or not d.is_inpatient for d in details)


def test_institutional_corpus_passes_pyx12(tmp_path: Path) -> None:
    paths = _files(tmp_path, "institutional", institutional_claims(CORPUS_SIZE))
    paths += _files(tmp_path, "secondary", institutional_claims(SECONDARY_CORPUS_SIZE, seed=2320, secondary=True))
    errors = pyx12_errors_in_parallel(paths, workers=min(len(paths), os.cpu_count() or 2))
    assert errors == [], "\n".join(errors[:50])


def test_secondary_institutional_claims_balance_and_name_the_primary() -> None:
    claims = institutional_claims(SECONDARY_CORPUS_SIZE, seed=2320, secondary=True)
    blocks = blocks_by_control_number(segments_of(write_837i(interchange_header(), claims)))
    for claim in claims:
        block = blocks[claim.patient_control_number]
        assert_837_balances(block, line_charge_segment="SV2", charge_element=3)
        adjudication = claim.prior_payer_adjudication
        assert adjudication is not None
        svds = [s for s in block if s[0] == "SVD"]
        assert all(s[1] == adjudication.payer_id for s in svds)
        # SVD04 repeats each line's revenue code (required on the 837I).
        assert [s[4] for s in svds] == [line.revenue_code for line in claim.details.lines][: len(svds)]


def test_pyx12_check_catches_a_broken_837i(tmp_path: Path) -> None:
    # Guards the guard: CL1 without its required patient status must be reported.
    text = write_837i(interchange_header(), institutional_claims(2))
    start = text.index("CL1*")
    broken = text[:start] + "CL1*1*1~" + text[text.index("~", start) + 1 :]
    path = tmp_path / "broken.837"
    path.write_text(broken)
    errors = pyx12_errors_in_parallel([str(path)])
    assert any("CL103" in error or "CL1" in error for error in errors), errors
