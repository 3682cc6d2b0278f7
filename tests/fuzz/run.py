"""Fuzz one X12 reader with atheris (libFuzzer) for a bounded time.

    python -m tests.fuzz.run 835 --seconds 60 [--artifacts artifacts/fuzz]

Seeds are the target's fixture files. A crash leaves its input in <artifacts>/<target>/crash-*;
copy it to tests/fuzz/crashes/<target>/ with the fix, where test_fuzz_regressions replays it.
Exit status 0 means no crash in the time given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import atheris


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run")
    parser.add_argument("target", choices=["835", "999", "277ca", "837p"])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--artifacts", default="artifacts/fuzz")
    args = parser.parse_args()

    with atheris.instrument_imports(include=["services", "shared"]):
        from tests.fuzz.targets import TARGETS, run_one

        target = TARGETS[args.target]()
    artifacts = Path(args.artifacts) / args.target
    corpus = artifacts / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in sorted(target.seeds.iterdir()):  # libFuzzer reads its seeds from the corpus folder
        if seed.is_file() and seed.suffix != ".md":
            (corpus / f"seed-{seed.name}").write_bytes(seed.read_bytes())
    libfuzzer_args = [sys.argv[0], f"-max_total_time={args.seconds}", f"-artifact_prefix={artifacts}/",
                      "-max_len=65536", "-rss_limit_mb=2048", "-print_final_stats=1", str(corpus)]
    atheris.Setup(libfuzzer_args, lambda data: run_one(target, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
