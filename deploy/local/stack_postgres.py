"""PostgreSQL 15: the project's own cluster under the run dir, on its own port, trust auth on loopback.

initdb refuses to run as root, so as root the cluster belongs to the system `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import time
from pathlib import Path

import stack_process

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "claimline"
DATABASE = "claimline"


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        for root, dirs, files in os.walk(path):
            os.chown(root, entry.pw_uid, entry.pw_gid)
            for name in dirs + files:
                os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


def _ensure_traversable(path: Path) -> None:
    """As root the server runs as `postgres`, which must be able to walk down to its data directory
    (a checkout under a 0700 temporary directory would stop it): add the execute bit only."""
    if os.geteuid() != 0:
        return
    for ancestor in [path, *path.parents]:
        mode = ancestor.stat().st_mode
        if not mode & 0o001:
            ancestor.chmod(mode | 0o001)


def up(run_dir: Path, port: int) -> str:
    """Start the cluster (initialising it the first time); returns the asyncpg DATABASE_URL."""
    (run_dir / "pg").mkdir(parents=True, exist_ok=True)
    _ensure_traversable(run_dir / "pg")
    data = run_dir / "pg" / "data"
    sockets = run_dir / "pg" / "sock"
    logfile = run_dir / "pg" / "postgres.log"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        _chown(run_dir / "pg")
        subprocess.run(_as_owner([str(PG_BIN / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
                                  "--encoding=UTF8", "--no-instructions"]), check=True, capture_output=True)
    sockets.mkdir(parents=True, exist_ok=True)
    _chown(run_dir / "pg")
    status = subprocess.run(_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "status"]), capture_output=True)
    if status.returncode != 0:
        options = (f"-p {port} -c listen_addresses=127.0.0.1 -k {sockets} -c max_connections=600 "
                   "-c shared_buffers=256MB -c fsync=on -c synchronous_commit=on")
        subprocess.run(_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(logfile), "-o", options,
                                  "-w", "-t", "60", "start"]), check=True, capture_output=True)
    for _ in range(100):
        ready = subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True)
        if ready.returncode == 0:
            break
        time.sleep(0.2)
    exists = subprocess.run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-d", "postgres",
                             "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
                            capture_output=True, text=True, check=True)
    if exists.stdout.strip() != "1":
        subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE],
                       check=True)
    return f"postgresql+asyncpg://{USER}@127.0.0.1:{port}/{DATABASE}"


def down(run_dir: Path) -> None:
    data = run_dir / "pg" / "data"
    if (data / "PG_VERSION").exists():
        subprocess.run(_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)


def restart(run_dir: Path, port: int) -> str:
    """Stop and start the cluster (used by fault tests)."""
    down(run_dir)
    return up(run_dir, port)


__all__ = ["up", "down", "restart", "stack_process"]
