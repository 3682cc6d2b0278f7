"""A short atheris run of each X12 reader inside make test (make chaos fuzzes much longer)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("FUZZ_SECONDS", "8"))


@pytest.mark.parametrize("target", ["835", "999", "277ca", "837p"])
async def test_reader_survives_a_short_fuzz_run(target: str, tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fuzz.run", target, "--seconds", str(SECONDS), "--artifacts", str(tmp_path),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=SECONDS * 10 + 120)
    crashes = sorted(p.name for p in (tmp_path / target).glob("crash-*"))
    assert process.returncode == 0 and not crashes, output.decode(errors="replace")[-3000:]
    assert b"stat::number_of_executed_units" in output, "libFuzzer ran and printed its final stats"
