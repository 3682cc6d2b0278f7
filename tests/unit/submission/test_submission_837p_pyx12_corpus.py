"""Every 837P the writer emits passes the independent pyx12 validator (X222A1 map) with zero errors."""

from __future__ import annotations

import os
from pathlib import Path

from claim_corpus import corpus_claims, interchange_header
from submission_pyx12 import pyx12_errors_in_parallel

from services.submission.domain import ClaimFrequency, write_837p

CORPUS_SIZE = 240
CLAIMS_PER_FILE = 24  # batches keep pyx12's per-file map loading to ten runs


def test_corpus_is_broad() -> None:
    claims = corpus_claims(CORPUS_SIZE)
    encounters = [c.encounter for c in claims]
    assert {e.primary_coverage.relationship for e in encounters} == {"self", "spouse", "child", "other"}
    assert {len(e.diagnoses) for e in encounters} == set(range(1, 13))
    assert {1, 50} <= {len(e.service_lines) for e in encounters}
    assert {len(e.coverages) for e in encounters} == {1, 2, 3}
    assert {c.frequency_code for c in claims} == set(ClaimFrequency)
    assert len({e.primary_coverage.payer.payer_id for e in encounters}) >= 5
    assert any(e.referring_provider for e in encounters) and any(e.service_facility for e in encounters)
    assert any(e.prior_authorization for e in encounters) and any(
        e.rendering_provider is None for e in encounters
    )
    assert any(len(line.modifiers) == 4 for e in encounters for line in e.service_lines)
    assert any(line.date_of_service for e in encounters for line in e.service_lines)


def test_corpus_passes_pyx12(tmp_path: Path) -> None:
    claims = corpus_claims(CORPUS_SIZE)
    paths = []
    for batch, start in enumerate(range(0, CORPUS_SIZE, CLAIMS_PER_FILE), start=1):
        path = tmp_path / f"corpus_{batch:03d}.837"
        path.write_text(write_837p(interchange_header(batch), claims[start : start + CLAIMS_PER_FILE]))
        paths.append(str(path))
    errors = pyx12_errors_in_parallel(paths, workers=min(len(paths), os.cpu_count() or 2))
    assert errors == [], "\n".join(errors[:50])


def test_single_claim_files_pass_pyx12(tmp_path: Path) -> None:
    # One claim per interchange exercises the smallest hierarchy: one 2000A, one 2000B.
    claims = corpus_claims(8, seed=77)
    paths = []
    for number, claim in enumerate(claims, start=1):
        path = tmp_path / f"single_{number}.837"
        path.write_text(write_837p(interchange_header(number, usage_indicator="P"), [claim]))
        paths.append(str(path))
    errors = pyx12_errors_in_parallel(paths)
    assert errors == [], "\n".join(errors[:50])


def test_pyx12_check_catches_a_broken_file(tmp_path: Path) -> None:
    # Guards the guard: an assignment code outside CLM07's code list must be reported.
    text = write_837p(interchange_header(), corpus_claims(2))
    broken = text.replace("*Y*A*Y*Y~", "*Y*Q*Y*Y~", 1)
    path = tmp_path / "broken.837"
    path.write_text(broken)
    errors = pyx12_errors_in_parallel([str(path)])
    assert any("CLM07" in error for error in errors), errors
