"""Replay rate: intake rebuilds its claim timeline from the log (the runbook's rebuild).

Stop intake, `python -m tools.rebuild_projection intake.timeline` (rewinds the consumer group and
clears the projection), start intake, then count events/s while its timeline refills to the row
count it had before. The clock starts when the start command is given, so intake's own start-up
(about as long as a real restart) is inside the figure; the rate after its first row is given too.
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
    _stack(run_dir, "start-service", "intake")
    first_row_at = None
    rows = cleared
    while time.monotonic() - started < timeout:
        rows = asyncio.run(_timeline_rows(dsn))
        if rows > cleared and first_row_at is None:
            first_row_at = time.monotonic()
        if rows >= before:
            break
        time.sleep(0.5)
    finished = time.monotonic()
    replayed = rows - cleared
    catching_up = finished - first_row_at if first_row_at else None
    return {"events_before": before, "events_after_reset": cleared, "events_replayed": replayed,
            "seconds": finished - started, "events_per_second": replayed / (finished - started),
            "events_per_second_after_first_row": replayed / catching_up if catching_up else None,
            "complete": rows >= before}
