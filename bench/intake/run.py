"""Intake requests/s and latency under wrk (Debian's package): POST /v1/encounters, unique external ids.

wrk is closed-loop (each connection sends its next request when the last is answered), so this is
the most intake answers, with p50/p99 at that load. The bench tenant's rate limit is set so high
that the limiter never refuses; a non-2xx count above zero is reported, not hidden.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from bench.stack_access import encounter_for

SCRIPT = Path(__file__).with_name("post_encounter.lua")


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def run(env: dict[str, str], api_key: str, run_dir: Path, seconds: int, connections: int = 16,
        threads: int = 2, payer: str = "SIMACK") -> dict:
    """One wrk run against intake; requests/s, p50 and p99 in milliseconds."""
    body = encounter_for(payer, "wrk")
    body["external_id"] = "__EXTERNAL_ID__"
    body_file = run_dir / "bench-intake-encounter.json"
    body_file.write_text(json.dumps(body))
    done = subprocess.run(
        [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(SCRIPT),
         env["INTAKE_URL"]],
        capture_output=True, text=True, check=True,
        env={**os.environ, "BENCH_BODY_FILE": str(body_file), "BENCH_API_KEY": api_key,
             "BENCH_RUN_TAG": uuid.uuid4().hex[:8]})
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH_RESULT "))
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    result["requests_per_second"] = result["requests"] / result["seconds"] if result["seconds"] else None
    result.update(connections=connections, threads=threads)
    return result
