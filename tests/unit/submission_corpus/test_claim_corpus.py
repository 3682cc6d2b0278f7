"""Done means: a generated corpus of at least 200 varied claims, as the submission service sends them, all pass
pyx12 with zero errors (professional and institutional, dependents, secondary payers with COB loops, NDC
lines, modifiers, 12 diagnoses, 50 lines, replacements and voids with REF*F8).

tests/unit/submission and tests/unit/submission_837i hold the writers' own corpora (claims built directly);
this one drives the service's path: correction rules, institutional frequencies, the secondary-billing event.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from submission_pyx12 import pyx12_errors_in_parallel

from services.submission.domain.submission_plan import Submitter
from services.submission.service_layer.handlers import interchange_for
from shared.x12.tokenizer import split_segments
from tests.unit.submission_corpus.service_corpus import CorpusVersion, corpus

VERSIONS_PER_FILE = 20  # interchanges per file: pyx12 reloads its maps once per file
CREATED = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)


def _x12(version: CorpusVersion, control_number: int) -> str:
    return interchange_for(Submitter().header(control_number, CREATED), version.claim_id, version.encounter,
                           version.claim_version, version.frequency_code, version.payer_claim_control_number,
                           version.prior_payer_adjudication)


def test_corpus_is_broad() -> None:
    versions = corpus()
    encounters = [v.encounter for v in versions]
    assert len(versions) >= 200
    assert {e.claim_type for e in encounters} == {"professional", "institutional"}
    assert {v.scenario for v in versions} == {"original", "replacement", "user_replacement", "void",
                                              "resent_after_rejection", "secondary"}
    for claim_type in ("professional", "institutional"):
        kinds = {(v.scenario, v.frequency_code) for v in versions if v.encounter.claim_type == claim_type}
        assert {("replacement", "7"), ("void", "8"), ("resent_after_rejection", "1"), ("secondary", "1")} <= kinds
    assert {e.primary_coverage.relationship for e in encounters} == {"self", "spouse", "child", "other"}
    assert 12 in {len(e.diagnoses) for e in encounters}
    assert 50 in {len(e.service_lines) for e in encounters}
    assert any(line.drug for e in encounters if e.claim_type == "professional" for line in e.service_lines)
    assert any(line.drug for e in encounters if e.claim_type == "institutional" for line in e.service_lines)
    assert any(len(line.modifiers) == 4 for e in encounters for line in e.service_lines)
    secondary = [v for v in versions if v.prior_payer_adjudication is not None]
    assert any(v.prior_payer_adjudication.has_line_detail for v in secondary)
    assert any(not v.prior_payer_adjudication.has_line_detail for v in secondary)
    assert {v.encounter.type_of_bill[-1] for v in versions if v.encounter.type_of_bill} >= {"1", "7", "8"}


def test_every_version_carries_what_its_frequency_needs() -> None:
    for number, version in enumerate(corpus(), start=1):
        _, segments = split_segments(_x12(version, number))
        clm = next(s for s in segments if s[0] == "CLM")
        claim_f8 = [s for s in segments if s[:2] == ["REF", "F8"]]
        frequency = clm[5].split(":")[2]
        assert frequency == version.encounter.type_of_bill[-1] if version.encounter.type_of_bill \
            else frequency == version.frequency_code
        if version.frequency_code in ("7", "8"):
            assert ["REF", "F8", version.payer_claim_control_number] in claim_f8
        elif version.prior_payer_adjudication is None:
            assert claim_f8 == []
        sbr = [s[1] for s in segments if s[0] == "SBR"]
        assert sbr[0] == ("S" if version.prior_payer_adjudication else "P")


def test_corpus_passes_pyx12(tmp_path: Path) -> None:
    versions = corpus()
    paths = []
    for batch, start in enumerate(range(0, len(versions), VERSIONS_PER_FILE), start=1):
        text = "".join(_x12(version, start + offset + 1)
                       for offset, version in enumerate(versions[start:start + VERSIONS_PER_FILE]))
        path = tmp_path / f"service_corpus_{batch:03d}.837"
        path.write_text(text)
        paths.append(str(path))
    errors = pyx12_errors_in_parallel(paths, workers=min(len(paths), os.cpu_count() or 2))
    assert errors == [], "\n".join(errors[:50])
