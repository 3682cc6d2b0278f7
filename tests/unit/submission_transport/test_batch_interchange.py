"""A batch's 837 merges its claims' single-claim interchanges under one envelope and still passes pyx12."""

from __future__ import annotations

from pathlib import Path

import pytest
from claim_corpus import corpus_claims, interchange_header
from institutional_corpus import institutional_claims
from submission_pyx12 import pyx12_errors_in_parallel

from services.submission.domain import InvalidBillableClaim, write_837i, write_837p
from services.submission.domain.batch_interchange import implementation_guide_of, merge_claim_interchanges
from shared.x12.tokenizer import split_segments

PROFESSIONAL = [write_837p(interchange_header(100 + n), [claim]) for n, claim in enumerate(corpus_claims(12))]
INSTITUTIONAL = [write_837i(interchange_header(200 + n), [claim])
                 for n, claim in enumerate(institutional_claims(6))]


def _segments(x12: str) -> list[list[str]]:
    return split_segments(x12)[1]


@pytest.mark.parametrize("singles", [PROFESSIONAL, INSTITUTIONAL], ids=["837P", "837I"])
def test_merged_batches_pass_pyx12(tmp_path: Path, singles: list[str]) -> None:
    paths = []
    for size in (1, 2, len(singles)):
        path = tmp_path / f"batch_{size}.837"
        path.write_text(merge_claim_interchanges(interchange_header(900 + size), singles[:size]))
        paths.append(str(path))
    assert pyx12_errors_in_parallel(paths) == []


def test_every_claim_and_its_hierarchy_is_carried_once_with_fresh_hl_ids() -> None:
    merged = _segments(merge_claim_interchanges(interchange_header(77), PROFESSIONAL[:5]))
    clms = [s[1] for s in merged if s[0] == "CLM"]
    assert clms == [next(s[1] for s in _segments(x) if s[0] == "CLM") for x in PROFESSIONAL[:5]]
    hls = [s for s in merged if s[0] == "HL"]
    assert [int(s[1]) for s in hls] == list(range(1, len(hls) + 1))
    seen = set()
    for hl in hls:  # every parent is an earlier HL
        assert hl[2] == "" or int(hl[2]) in seen
        seen.add(int(hl[1]))
    envelope = {s[0]: s for s in merged if s[0] in ("ISA", "GS", "ST", "SE", "GE", "IEA")}
    assert envelope["ISA"][13] == "000000077" and envelope["GS"][6] == "77" and envelope["IEA"][2] == "000000077"
    st_to_se = merged.index(envelope["SE"]) - merged.index(envelope["ST"]) + 1
    assert envelope["SE"][1] == str(st_to_se)


def test_the_kind_of_837_is_read_from_gs08() -> None:
    assert implementation_guide_of(PROFESSIONAL[0]) == "005010X222A1"
    assert implementation_guide_of(INSTITUTIONAL[0]) == "005010X223A2"


def test_the_kind_of_837_is_read_from_the_head_of_the_interchange_alone() -> None:
    # The dispatcher reads only the first 300 characters of each queued version: ISA and GS are in them.
    assert implementation_guide_of(PROFESSIONAL[0][:300]) == "005010X222A1"
    assert implementation_guide_of(INSTITUTIONAL[0][:300]) == "005010X223A2"
    with_line_breaks = PROFESSIONAL[0].replace("~", "~\r\n")
    assert implementation_guide_of(with_line_breaks[:300]) == "005010X222A1"


def test_professional_and_institutional_claims_never_share_an_interchange() -> None:
    with pytest.raises(InvalidBillableClaim, match="one kind"):
        merge_claim_interchanges(interchange_header(5), [PROFESSIONAL[0], INSTITUTIONAL[0]])


def test_two_versions_of_one_claim_never_share_an_interchange() -> None:
    with pytest.raises(InvalidBillableClaim, match="unique"):
        merge_claim_interchanges(interchange_header(5), [PROFESSIONAL[0], PROFESSIONAL[0]])
