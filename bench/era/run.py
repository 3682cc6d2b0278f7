"""835 parse and post rates: our parser against pyx12 and LinuxForHealth on one generated file.

The peers are installed in a throwaway virtual environment under the run dir (never the project's
dependencies) and run as separate processes on the same file. Posting goes through remittance's
service layer (`receive_era_file`: store, parse, balance, match, post, outbox) in one transaction on
a database of its own, created in the bench stack's PostgreSQL and migrated by remittance's migrations.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import sqlalchemy

from bench.era.generate import PAYEE_NPI, PAYEE_TIN, billed_claims, era_file
from services.remittance.adapters.payee_store import PayeeProjection
from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.era_parser import parse_835
from services.remittance.service_layer.posting import receive_era_file
from shared.db import create_engine, session_factory, unit_of_work
from shared.migrations import upgrade

# linuxforhealth-x12 0.57.0 imports pydantic v1's BaseSettings but does not cap pydantic below 2.
PEER_PINS = ["pyx12==4.0.0", "linuxforhealth-x12==0.57.0", "pydantic==1.10.27"]
PEERS = ("pyx12", "linuxforhealth")
SERVICE_DATE = dt.date(2026, 11, 20)
BENCH_TENANT = "bench-practice"  # 835s are routed by payee: the file's payee is registered to it


def peer_python(run_dir: Path) -> Path:
    """The throwaway venv's python, created and filled on first use (BENCH_PEERS_VENV reuses one)."""
    venv = Path(os.environ.get("BENCH_PEERS_VENV", run_dir / "peers-venv"))
    python = venv / "bin" / "python"
    if not (venv / ".installed").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PINS], check=True)
        (venv / ".installed").touch()
    return python


def time_ours(text: str) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    claims = sum(len(remittance.claims) for remittance in parse_835(text))
    return {"peer": "claimline", "claims": claims, "wall_seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu}


def time_peer(python: Path, path: Path, peer: str, timeout: float) -> dict:
    script = Path(__file__).with_name("peer_parse.py")
    try:
        done = subprocess.run([str(python), str(script), str(path), peer], capture_output=True, text=True,
                              timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"peer": peer, "claims": 0, "wall_seconds": timeout, "cpu_seconds": None, "timed_out": True}
    except subprocess.CalledProcessError as failed:
        return {"peer": peer, "claims": 0, "error": failed.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


async def _bench_database(database_url: str) -> str:
    name = f"bench_era_{uuid.uuid4().hex[:8]}"
    server = database_url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = database_url.rsplit("/", 1)[0] + "/" + name
    await asyncio.to_thread(upgrade, "remittance", url)
    return url


async def time_posting(database_url: str, text: str, claims: int) -> dict:
    """Billed claims first (what the claim.submitted consumer would have stored), then one timed delivery."""
    url = await _bench_database(database_url)
    engine = create_engine(url, instrument=False, pool_size=2)
    try:
        sessions = session_factory(engine)
        rows = billed_claims(claims, BENCH_TENANT, SERVICE_DATE)
        for start in range(0, len(rows), 1000):
            async with unit_of_work(sessions) as session:
                store = RemittanceStore(session)
                for row in rows[start:start + 1000]:
                    await store.upsert_billed_claim(row)
        async with unit_of_work(sessions) as session:  # what the tenant-payees consumer would have projected
            await PayeeProjection(session).replace(BENCH_TENANT, 1, [("npi", PAYEE_NPI), ("tin", PAYEE_TIN)])
        async with unit_of_work(sessions) as session:
            backend = await session.scalar(sqlalchemy.text("SELECT pg_backend_pid()"))
            # The database's CPU too (its backend is a local process): on a loaded machine wall time mostly
            # measures the wait for a core, CPU seconds what posting costs.
            wall, cpu, database_cpu = time.perf_counter(), time.process_time(), _process_cpu_seconds(backend)
            outcome, error = await receive_era_file(session, f"bench-{uuid.uuid4().hex}", text)
        result = {"outcome": outcome, "error": error, "wall_seconds": time.perf_counter() - wall,
                  "cpu_seconds": time.process_time() - cpu,
                  "database_cpu_seconds": _process_cpu_seconds(backend) - database_cpu}
        async with unit_of_work(sessions) as session:
            result["claims"] = await session.scalar(
                sqlalchemy.text("SELECT count(*) FROM remittance.era_claims WHERE posted"))
        return result
    finally:
        await engine.dispose()


def _process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a local process so far (0 when it cannot be read: another machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(run_dir: Path, database_url: str, claims: int, peer_timeout: float, post_claims: int) -> dict:
    """Every figure of the 835 section: parse rate for each parser, post rate through the service layer.

    Posting is slower per claim than parsing by orders of magnitude (several statements per claim),
    so it takes the first post_claims claims of the same generator rather than the whole file.
    """
    folder = run_dir / "bench-era"
    folder.mkdir(parents=True, exist_ok=True)
    text = era_file(claims, SERVICE_DATE)
    path = folder / f"era_{claims}.x12"
    path.write_text(text)
    python = peer_python(run_dir)
    parse = [time_ours(text)] + [time_peer(python, path, peer, peer_timeout) for peer in PEERS]
    post_claims = min(post_claims, claims)
    post_text = text if post_claims == claims else era_file(post_claims, SERVICE_DATE)
    posting = asyncio.run(time_posting(database_url, post_text, post_claims))
    return {"claims": claims, "bytes": len(text), "parse": parse, "post": posting}


def main(argv: list[str] | None = None) -> int:
    """The 835 section alone; --post-only skips the parsers (and the peers' venv) and times posting only."""
    parser = argparse.ArgumentParser(prog="python -m bench.era.run", description=__doc__.split("\n")[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("claims", type=int)
    parser.add_argument("--post-only", action="store_true", help="time posting only (no parsers, no peers)")
    args = parser.parse_args(argv)
    database_url = os.environ["DATABASE_URL"]
    if args.post_only:
        posting = asyncio.run(time_posting(database_url, era_file(args.claims, SERVICE_DATE), args.claims))
        posting["claims_per_second"] = round(posting["claims"] / posting["wall_seconds"], 1)
        posting["claims_per_cpu_second"] = round(
            posting["claims"] / (posting["cpu_seconds"] + posting["database_cpu_seconds"]), 1)
        posting["load_average"] = os.getloadavg()
        print(json.dumps({"claims": args.claims, "post": posting}, indent=2))
    else:
        print(json.dumps(run(args.run_dir, database_url, args.claims, 900, args.claims), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
