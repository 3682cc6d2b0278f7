"""835 parse and post rates: our parser against pyx12 and LinuxForHealth on one generated file.

The peers are installed in a throwaway virtual environment under the run dir (never the project's
dependencies) and run as separate processes on the same file. Posting goes through remittance's
service layer (`receive_era_file`: store, parse, balance, match, post, outbox) in one transaction on
a database of its own, created in the bench stack's PostgreSQL and migrated by remittance's migrations.
"""

from __future__ import annotations

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

from bench.era.generate import billed_claims, era_file
from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.era_parser import parse_835
from services.remittance.service_layer.posting import receive_era_file
from shared.db import create_engine, session_factory, unit_of_work
from shared.migrations import upgrade

# linuxforhealth-x12 0.57.0 imports pydantic v1's BaseSettings but does not cap pydantic below 2.
PEER_PINS = ["pyx12==4.0.0", "linuxforhealth-x12==0.57.0", "pydantic==1.10.27"]
PEERS = ("pyx12", "linuxforhealth")
SERVICE_DATE = dt.date(2026, 11, 20)


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
        rows = billed_claims(claims, "bench-practice", SERVICE_DATE)
        for start in range(0, len(rows), 1000):
            async with unit_of_work(sessions) as session:
                store = RemittanceStore(session)
                for row in rows[start:start + 1000]:
                    await store.upsert_billed_claim(row)
        wall, cpu = time.perf_counter(), time.process_time()
        async with unit_of_work(sessions) as session:
            outcome, error = await receive_era_file(session, f"bench-{uuid.uuid4().hex}", text)
        result = {"outcome": outcome, "error": error, "wall_seconds": time.perf_counter() - wall,
                  "cpu_seconds": time.process_time() - cpu}
        async with unit_of_work(sessions) as session:
            result["claims"] = await RemittanceStore(session).session.scalar(
                __import__("sqlalchemy").text("SELECT count(*) FROM remittance.era_claims WHERE posted"))
        return result
    finally:
        await engine.dispose()


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


if __name__ == "__main__":
    claims = int(sys.argv[2])
    print(json.dumps(run(Path(sys.argv[1]), os.environ["DATABASE_URL"], claims, 900, claims), indent=2))
