"""make chaos: a fresh stack in its own run dir, N claims under every fault, the checks, the table.

    python -m tools.chaos [--claims N] [--run-dir DIR] [--seed S] [--keep]

Exits 1 when any invariant is violated or a fault could not be injected.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from pathlib import Path

from tools.chaos.report import table
from tools.chaos.run import chaos_run
from tools.chaos.schedule import FULL
from tools.chaos.stack_control import remove_stack, start_fresh_stack

ARTIFACTS = Path("artifacts/chaos")


def main() -> int:
    """Start the stack, run, print the table, stop the stack."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=int(os.environ.get("CHAOS_CLAIMS", "10000")))
    parser.add_argument("--run-dir", default=f".run/chaos-{int(time.time())}-{os.getpid()}")
    parser.add_argument("--seed", type=int, default=None, help="makes the fault points repeatable")
    parser.add_argument("--drain-timeout", type=float, default=1800, help="seconds to wait after the last post")
    parser.add_argument("--keep", action="store_true", help="leave the stack running (and its run dir)")
    args = parser.parse_args()
    run_dir = Path(args.run_dir).resolve()
    print(f"starting a fresh stack in {run_dir}", flush=True)
    environment = start_fresh_stack(run_dir)
    try:
        outcome = asyncio.run(chaos_run(run_dir, environment, args.claims, FULL, seed=args.seed,
                                        drain_timeout=args.drain_timeout,
                                        log=lambda line: print(line, flush=True)))
    finally:
        if not args.keep:
            # The services' logs outlive the stack: a violation is diagnosed from them.
            shutil.copytree(run_dir / "logs", ARTIFACTS / run_dir.name / "logs", dirs_exist_ok=True)
            remove_stack(run_dir)
    print(table(outcome))
    print(f"service logs kept in {ARTIFACTS / run_dir.name / 'logs'}")
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
