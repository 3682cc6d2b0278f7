"""Replay rate: intake rebuilds its claim timeline from the log (the runbook's rebuild).

Stop intake, `python -m tools.rebuild_projection intake.timeline` (rewinds the consumer group and
clears the projection), start intake, then count events/s while its timeline refills to the row
count it had before. The clock starts when the start command is given, so intake's own start-up
(about as long as a real restart) is inside the figure; the rate after it answers /readyz is given too.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

from bench.stack_access import ROOT, plain_dsn

STACK = ROOT / "deploy" / "local" / "stack.py"


async def _timeline_rows(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval("SELECT count(*) FROM intake.claim_timeline")
    finally:
        await connection.close()


def _stack(run_dir: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(STACK), *args, "--run-dir", str(run_dir)], cwd=ROOT, check=True,
                   capture_output=True)


def run(env: dict[str, str], run_dir: Path, timeout: float = 900) -> dict:
    """Events replayed, seconds, events/s (from the start command, and from intake's first replayed row)."""
    dsn = plain_dsn(env["DATABASE_URL"])
    before = asyncio.run(_timeline_rows(dsn))
    _stack(run_dir, "stop-service", "intake")
    subprocess.run([sys.executable, "-m", "tools.rebuild_projection", "intake.timeline"], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, **env})
    cleared = asyncio.run(_timeline_rows(dsn))
    started = time.monotonic()
    _stack(run_dir, "start-service", "intake")  # returns once intake answers /readyz
    ready_at = time.monotonic()
    rows = at_ready = asyncio.run(_timeline_rows(dsn))
    while rows < before and time.monotonic() - started < timeout:
        time.sleep(0.25)
        rows = asyncio.run(_timeline_rows(dsn))
    finished = time.monotonic()
    replayed = rows - cleared
    # When the replay outlasts start-up, the rate after readiness is the consumer's own speed.
    after_ready = (rows - at_ready) / (finished - ready_at) if at_ready < before and finished > ready_at else None
    return {"events_before": before, "events_after_reset": cleared, "events_replayed": replayed,
            "events_at_ready": at_ready, "seconds": finished - started,
            "events_per_second": replayed / (finished - started), "events_per_second_after_ready": after_ready,
            "complete": rows >= before}
