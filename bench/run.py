"""make bench: a fresh stack in its own run dir, every benchmark of issue 9, one table.

    python -m bench.run [--run-dir DIR]

Environment (defaults in brackets): BENCH_RATE [300] claims/s offered for BENCH_SECONDS [60] in the
throughput run, BENCH_LATENCY_RATE [200] for BENCH_LATENCY_SECONDS [60] in the latency run (0 skips it),
BENCH_DRAIN_SECONDS [300] to let the last claims finish, BENCH_INTAKE_SECONDS [30] of wrk,
BENCH_ERA_CLAIMS [10000] in the 835 file, BENCH_PEER_TIMEOUT [900] per peer parser, BENCH_POST_CLAIMS
[10000] posted through remittance's service layer, BENCH_PROFILE_SECONDS [30] of py-spy on the busiest
service (0 skips), BENCH_SPLIT [1] (0 skips the second stack, where every service runs as an API process
and a worker process: wrk against intake's API alone, and a lifecycle run there), BENCH_PEERS_VENV to
reuse a peers' venv. Results go to <run>/bench-results.json (after every phase) and the profile to
<run>/profile-*.txt; the stacks live in <run>/one and <run>/two and are removed when their phase ends.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import uvloop

from bench import profile
from bench.era import run as era_bench
from bench.intake import run as intake_bench
from bench.lifecycle import run as lifecycle_bench
from bench.replay import run as replay_bench
from bench.stack_access import ROOT, bench_api_key, stack_env
from bench.table import print_table

STACK = ROOT / "deploy" / "local" / "stack.py"
SERVICES = ("intake", "coding", "submission", "remittance", "denials")


def _setting(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _stack(run_dir: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(STACK), *args, "--run-dir", str(run_dir)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def _process_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu(run_dir: Path) -> float | None:
    """The postmaster's CPU and its backends' (the children alive now: the services' pooled connections)."""
    pid_files = list(run_dir.glob("pg/**/postmaster.pid"))
    if not pid_files:
        return None
    postmaster = int(pid_files[0].read_text().split()[0])
    total = _process_cpu(postmaster) or 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(postmaster):
                    total += _process_cpu(int(entry.name)) or 0.0
            except (FileNotFoundError, ValueError):
                continue
    return total


def _cpu_seconds(run_dir: Path) -> dict[str, float]:
    """User+system CPU seconds so far of every process of the run (from /proc): each service process, and
    Kafka, PostgreSQL and the clearinghouse simulator beside them."""
    found = {}
    for pid_file in (run_dir / "pids").glob("*.pid"):
        if pid_file.stem.split("-")[0] not in (*SERVICES, "kafka", "clearinghouse"):
            continue
        seconds = _process_cpu(int(pid_file.read_text().strip()))
        if seconds is not None:
            found[pid_file.stem] = seconds
    postgres = _postgres_cpu(run_dir)
    if postgres is not None:
        found["postgres"] = postgres
    return found


def lifecycle(run_dir: Path, env: dict[str, str], key: str, label: str, rate: float, seconds: float) -> dict:
    before = _cpu_seconds(run_dir)
    result = uvloop.run(lifecycle_bench.run(env, key, rate, seconds, _setting("BENCH_DRAIN_SECONDS", 300), label))
    after = _cpu_seconds(run_dir)
    claims = max(result["accepted"], 1)
    result["cpu_ms_per_claim"] = {name: 1000 * (after[name] - before.get(name, 0)) / claims for name in after}
    return result


def profile_busiest(run_dir: Path, results_dir: Path, env: dict[str, str], key: str, cpu_ms: dict[str, float],
                    seconds: int) -> dict:
    """py-spy the service that spent the most CPU per claim while a short lifecycle run drives it."""
    busiest = max((name for name in cpu_ms if name.split("-")[0] in SERVICES), key=cpu_ms.get)
    pid = int((run_dir / "pids" / f"{busiest}.pid").read_text())
    out = results_dir / f"profile-{busiest}.txt"
    recorder = profile.start(era_bench.peer_python(results_dir), pid, seconds, out)
    uvloop.run(lifecycle_bench.offer([env["INTAKE_URL"]], key, _setting("BENCH_RATE", 300), seconds, "profile"))
    _, errors = recorder.communicate(timeout=seconds + 120)
    if not out.exists():
        return {"service": busiest, "error": errors.decode(errors="replace")[-500:]}
    return {"service": busiest, **profile.top_frames(out)}


def save(results_dir: Path, results: dict) -> None:
    """Written after every phase, so an interrupted run still leaves what it measured."""
    (results_dir / "bench-results.json").write_text(json.dumps(results, indent=2, default=str))


def single_instance(results_dir: Path, results: dict) -> None:
    run_dir = results_dir / "one"
    _stack(run_dir, "clean")
    _stack(run_dir, "up")
    env = stack_env(run_dir)
    key = bench_api_key(env, run_dir)
    results["lifecycle"] = lifecycle(run_dir, env, key, "one", _setting("BENCH_RATE", 300),
                                     _setting("BENCH_SECONDS", 60))
    save(results_dir, results)
    if _setting("BENCH_LATENCY_RATE", 200) and _setting("BENCH_LATENCY_SECONDS", 60):
        time.sleep(10)  # the throughput run's last claims leave the pipeline first
        results["latency"] = lifecycle(run_dir, env, key, "latency", _setting("BENCH_LATENCY_RATE", 200),
                                       _setting("BENCH_LATENCY_SECONDS", 60))
        save(results_dir, results)
    seconds = int(_setting("BENCH_PROFILE_SECONDS", 30))
    if seconds:
        cpu_ms = results["lifecycle"]["cpu_ms_per_claim"]
        results["profile"] = profile_busiest(run_dir, results_dir, env, key, cpu_ms, seconds)
        time.sleep(10)  # the profiled run's claims leave the pipeline before the replay counts rows
    results["replay"] = replay_bench.run(env, run_dir)
    save(results_dir, results)
    results["era"] = era_bench.run(results_dir, env["DATABASE_URL"], int(_setting("BENCH_ERA_CLAIMS", 10_000)),
                                   _setting("BENCH_PEER_TIMEOUT", 900),
                                   int(_setting("BENCH_POST_CLAIMS", 10_000)))
    save(results_dir, results)
    # last on this stack: what wrk posts keeps the pipeline busy long after it stops
    results["intake"] = intake_bench.run(env, key, run_dir, int(_setting("BENCH_INTAKE_SECONDS", 30)))
    _stack(run_dir, "clean")


def split_processes(results_dir: Path, results: dict) -> None:
    """Every service as an API process and a worker process: a lifecycle run, then wrk against intake's API
    alone, every worker stopped (the encounters wait in intake's outbox, as a backlog waits in Kafka: the
    pipeline's work is not on the two cores intake's API is measured on)."""
    run_dir = results_dir / "two"
    _stack(run_dir, "clean")
    _stack(run_dir, "up", "--split")
    env = stack_env(run_dir)
    key = bench_api_key(env, run_dir)
    results["split"] = lifecycle(run_dir, env, key, "split", _setting("BENCH_RATE", 300),
                                 _setting("BENCH_SECONDS", 60))
    save(results_dir, results)
    for service in SERVICES:
        _stack(run_dir, "stop-service", service, "--role", "worker")
    results["intake_api_alone"] = intake_bench.run(env, key, run_dir, int(_setting("BENCH_INTAKE_SECONDS", 30)))
    _stack(run_dir, "clean")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", default=str(ROOT / ".run" / f"bench-{int(time.time())}"))
    run_dir = Path(parser.parse_args().run_dir).resolve()
    results: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                     "load_average_at_start": os.getloadavg()}
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        single_instance(run_dir, results)
        if _setting("BENCH_SPLIT", 1):
            split_processes(run_dir, results)
    finally:
        for stack in ("one", "two"):  # a failed phase must not leave its stack running
            if (run_dir / stack).exists():
                _stack(run_dir / stack, "clean")
        results["load_average_at_end"] = os.getloadavg()
        save(run_dir, results)
    print_table(results)
    print(f"\nresults: {run_dir / 'bench-results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
