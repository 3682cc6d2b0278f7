"""Crashing and reviving parts of a local stack started by deploy/local/stack.py, by the pids it recorded."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "local"))

import stack  # noqa: E402 - deploy/local is a script folder, not a package
import stack_kafka  # noqa: E402
import stack_postgres  # noqa: E402
import stack_process  # noqa: E402

SERVICES = stack.SERVICES


class StackControl:
    """SIGKILL and restart services, restart the broker and PostgreSQL, of the stack in run_dir."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir.resolve()
        self.environment = stack.environment(self.run_dir)
        self.ports = stack.ports(self.run_dir)

    def kill_service(self, service: str) -> bool:
        """SIGKILL the service's process group (no shutdown hooks run); False when it was not running."""
        pid = stack_process.pid_of(self.run_dir, service)
        if pid is None:
            return False
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            return False
        (self.run_dir / "pids" / f"{service}.pid").unlink(missing_ok=True)
        return True

    async def start_service(self, service: str, ready_timeout: float = 180, attempts: int = 5) -> None:
        """Start the service again and wait until its /readyz answers 200; a start that fails (say, while
        the broker restarts, startup gives up) is tried again, as a supervisor would."""
        url = self.environment[f"{service.upper()}_URL"] + "/readyz"
        for attempt in range(1, attempts + 1):
            await asyncio.to_thread(stack.start_service, self.run_dir, service, self.environment)
            if await self._ready(service, url, ready_timeout):
                return
            self.kill_service(service)
            await asyncio.sleep(2 * attempt)
        raise RuntimeError(f"{service} did not become ready after {attempts} starts")

    async def _ready(self, service: str, url: str, timeout: float) -> bool:
        """True once url answers 200; False when the process exits first or timeout passes."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline and self.running(service):
                try:
                    if (await client.get(url)).status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.25)
        return False

    def running(self, name: str) -> bool:
        """True when the process recorded for name is alive."""
        return stack_process.pid_of(self.run_dir, name) is not None

    async def restart_kafka(self) -> None:
        """Stop the broker (SIGTERM, then SIGKILL after 30 s) and start it on the same data."""
        await asyncio.to_thread(stack_process.stop, self.run_dir, "kafka", 30)
        await asyncio.to_thread(stack_kafka.up, self.run_dir, self.ports["kafka"], self.ports["kafka_controller"])

    async def restart_postgres(self) -> None:
        """Stop PostgreSQL (fast shutdown: open connections are cut) and start it on the same data."""
        await asyncio.to_thread(stack_postgres.restart, self.run_dir, self.ports["postgres"])

    async def wait_ready(self, timeout: float = 180) -> None:
        """Wait until every service answers /readyz."""
        for service in SERVICES:
            await asyncio.to_thread(stack_process.wait_for_http, self.environment[f"{service.upper()}_URL"] + "/readyz",
                                    timeout, service, self.run_dir / "logs" / f"{service}.log")


def start_fresh_stack(run_dir: Path) -> dict[str, str]:
    """A clean stack in run_dir (what `make test` does for its own run dir); returns its environment."""
    stack.down(run_dir.resolve())
    shutil.rmtree(run_dir, ignore_errors=True)
    return stack.up(run_dir.resolve())


def remove_stack(run_dir: Path) -> None:
    """Stop everything in run_dir and delete it."""
    stack.down(run_dir.resolve())
    shutil.rmtree(run_dir, ignore_errors=True)
