"""Background processes of the local stack: start detached, remember by pid file, stop, wait for health."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def pid_of(run_dir: Path, name: str) -> int | None:
    """The pid recorded for name when that process is still alive."""
    path = run_dir / "pids" / f"{name}.pid"
    if not path.exists():
        return None
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def start(run_dir: Path, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> int:
    """Start argv detached with its output in <run>/logs/<name>.log unless it already runs."""
    running = pid_of(run_dir, name)
    if running:
        return running
    (run_dir / "pids").mkdir(parents=True, exist_ok=True)
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    with open(run_dir / "logs" / f"{name}.log", "ab") as log:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    (run_dir / "pids" / f"{name}.pid").write_text(str(process.pid))
    return process.pid


def stop(run_dir: Path, name: str, timeout: float = 20.0) -> bool:
    """SIGTERM the process group, then SIGKILL after timeout; True when something was stopped."""
    pid = pid_of(run_dir, name)
    (run_dir / "pids" / f"{name}.pid").unlink(missing_ok=True)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not open port {port} within {timeout:.0f}s")


def wait_for_http(url: str, timeout: float, what: str, log_path: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except Exception as error:  # noqa: BLE001 - keep polling
            last = type(error).__name__
        time.sleep(0.25)
    tail = ""
    if log_path and log_path.exists():
        tail = "\n" + "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
    raise SystemExit(f"{what} not healthy at {url} within {timeout:.0f}s ({last}){tail}")


def wait_for_json(url: str, headers: dict[str, str], ready: Callable[[Any], bool], timeout: float, what: str) -> None:
    """Poll a JSON GET until ready(body) holds (a projection caught up, say)."""
    deadline = time.monotonic() + timeout
    last: Any = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=2) as response:
                last = json.loads(response.read())
                if ready(last):
                    return
        except Exception as error:  # noqa: BLE001 - keep polling
            last = type(error).__name__
        time.sleep(0.25)
    raise SystemExit(f"{what} not seen at {url} within {timeout:.0f}s (last: {last})")
