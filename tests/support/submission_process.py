"""Swap the running stack's submission service for one with extra settings, then put the usual one back.

For tests that need the service configured differently (an SFTP clearinghouse, batch limits, the
crash-after-send fault hook). Uses the stack's own pid files, so `make down` stops whichever runs.
The swapped instance listens on the same port: the simulator's webhooks keep reaching it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from tests.e2e.polling import eventually

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "local"))
import stack  # noqa: E402 - deploy/local is a script folder, not a package
import stack_process  # noqa: E402

NAME = "submission"


@dataclass
class SubmissionInstance:
    pid: int

    def alive(self) -> bool:
        _reap(self.pid)
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    async def exited(self, timeout: float) -> bool:
        """Wait up to timeout seconds for the process to end on its own."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return True
            await asyncio.sleep(0.1)
        return not self.alive()


def _reap(pid: int) -> None:
    """Collect an instance this test process started once it has ended (else it lingers as a zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass  # not our child: the stack started it, and init reaps it


async def _stop(run_dir: Path, timeout: float = 20) -> None:
    pid = stack_process.pid_of(run_dir, NAME)
    (run_dir / "pids" / f"{NAME}.pid").unlink(missing_ok=True)
    if pid is None:
        return
    instance = SubmissionInstance(pid)
    for stop_signal in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, stop_signal)
        except ProcessLookupError:
            pass
        if await instance.exited(timeout):
            return


def _run_dir() -> Path:
    run_dir = Path(os.environ.get("RUN_DIR", ""))
    if not str(run_dir) or not (ROOT / run_dir / "pids").exists():
        raise RuntimeError("RUN_DIR must name the running stack's run dir (it is in stack.env)")
    return ROOT / run_dir


def _environment(run_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    """What the stack gives submission (its own database role and secrets, never the test's), plus extra."""
    env = stack.launch_environment(stack.environment(run_dir), NAME, **extra)
    env = {k: v for k, v in env.items() if not k.startswith("PYTEST_")}
    env["HTTP_PORT"] = str(urlparse(os.environ["SUBMISSION_URL"]).port)
    return env


async def _start(run_dir: Path, extra: dict[str, str], wait: bool = True) -> SubmissionInstance:
    pid = stack_process.start(run_dir, NAME, [sys.executable, "-m", "services.submission"],
                              _environment(run_dir, extra), ROOT)
    if wait:
        await _wait_ready(os.environ["SUBMISSION_URL"] + "/readyz", SubmissionInstance(pid))
    return SubmissionInstance(pid)


async def _wait_ready(url: str, instance: SubmissionInstance, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if not instance.alive():
                raise RuntimeError("the submission service exited while starting (see its log in RUN_DIR/logs)")
            await asyncio.sleep(0.25)
    raise RuntimeError(f"submission not ready within {timeout:.0f}s")


async def restart_submission(extra: dict[str, str] | None = None, wait: bool = True) -> SubmissionInstance:
    """Stop whichever submission instance runs and start one with the stack's settings plus extra."""
    run_dir = _run_dir()
    await _stop(run_dir)
    return await _start(run_dir, extra or {}, wait)


@asynccontextmanager
async def submission_with(extra: dict[str, str]) -> AsyncIterator[SubmissionInstance]:
    """The stack's submission service with extra environment while the context lasts."""
    instance = await restart_submission(extra)
    try:
        yield instance
    finally:
        await restart_submission()


async def submission_quiet(database: Any, timeout: float = 120) -> None:
    """Wait until no claim version waits to be sent and no batch is open or sending, and no claim coded in the
    last minutes is about to be billed: a test that crashes or reconfigures submission must act on its own
    claims only, not on what earlier tests left in flight."""
    async def busy() -> int:
        return await database.fetchval(
            "SELECT (SELECT count(*) FROM submission.submissions WHERE status = 'pending')"
            " + (SELECT count(*) FROM submission.submission_batches WHERE state IN ('open', 'sending'))"
            " + (SELECT count(*) FROM intake.claims WHERE status IN ('received', 'coded')"
            "    AND updated_at > now() - interval '5 minutes')")

    await eventually(busy, lambda waiting: waiting == 0, "submission to have nothing in flight", timeout)
