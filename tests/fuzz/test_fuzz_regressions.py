"""Each reader's seeds, and every input a fuzzer ever crashed it with (tests/fuzz/crashes/<target>/),
must be read or refused with the reader's own error."""

from __future__ import annotations

import pytest

from tests.fuzz.targets import CRASHES, TARGETS, run_one


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seeds_and_past_crashes_are_read_or_refused_cleanly(name) -> None:
    target = TARGETS[name]()
    seeds = [p for p in target.seeds.iterdir() if p.is_file() and p.suffix != ".md"]
    crashes = sorted((CRASHES / name).glob("*")) if (CRASHES / name).is_dir() else []
    assert seeds
    for sample in [*seeds, *crashes]:
        run_one(target, sample.read_bytes())
