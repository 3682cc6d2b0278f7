"""One fault run on a running stack: load, faults at random points, drain, then the checks."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from tools.chaos.checks import CheckResult, check_run, dsn, terminal_progress
from tools.chaos.load import AcceptedClaims, new_run_id, post_encounters
from tools.chaos.poison import PoisonInjector
from tools.chaos.schedule import FaultProfile, FaultRunner
from tools.chaos.stack_control import SERVICES, StackControl


@dataclass
class RunOutcome:
    """Everything the report prints."""

    run_id: str
    claims_requested: int
    faults: dict[str, int]
    check: CheckResult
    fault_errors: list[str]
    client_retries: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.check.ok and not self.fault_errors


async def chaos_run(run_dir: Path, environment: dict[str, str], claims: int, profile: FaultProfile,
                    seed: int | None = None, drain_timeout: float = 900, concurrency: int = 8,
                    stall_seconds: float = 180, settle_seconds: float = 120, log=print) -> RunOutcome:
    """Drive claims through the stack in run_dir while the profile's faults fire; check the invariants.

    After the last post, waits until every claim is at its end state, drain_timeout passes, or no claim
    moved for stall_seconds once every fault was fired; the checks then get settle_seconds to pass.
    """
    rng = random.Random(seed)
    run_id = new_run_id()
    control = StackControl(run_dir)
    poisons = PoisonInjector(environment["KAFKA_BOOTSTRAP"], profile.short_poison_event_ids)
    runner = FaultRunner(control, poisons, environment["CLEARINGHOUSE_URL"], profile, rng)
    await runner.set_clearinghouse_plan(profile.clearinghouse)
    accepted = AcceptedClaims()
    started = time.monotonic()
    log(f"chaos run {run_id}: {claims} claims, {len(runner.pending)} scheduled faults")
    load = asyncio.create_task(post_encounters(environment["INTAKE_URL"], environment["API_KEY"], claims, run_id,
                                               accepted, concurrency=concurrency))
    posted_at = None
    terminal = 0
    deadline = None
    last_log = 0.0
    moved_at = time.monotonic()
    try:
        while True:
            previous, terminal = terminal, await _terminal_count(environment["DATABASE_URL"], run_id, terminal)
            if terminal != previous or runner.busy:
                moved_at = time.monotonic()
            runner.advance((accepted.posted + terminal) / (2 * claims))
            if load.done() and posted_at is None:
                load.result()
                posted_at = time.monotonic()
                deadline = posted_at + drain_timeout
            if time.monotonic() - last_log > 15:
                last_log = time.monotonic()
                log(f"  {time.monotonic() - started:6.0f}s posted {accepted.posted}/{claims} "
                    f"at end state {terminal} faults {sum(runner.injected.values())}")
            stalled = time.monotonic() - moved_at > stall_seconds
            if posted_at is not None and (terminal >= len(accepted.claims) or time.monotonic() > deadline
                                          or stalled):
                break
            await asyncio.sleep(1.0)
    finally:
        faults_of_simulator = await runner.finish()
    await control.wait_ready()
    drained_at = time.monotonic()
    log(f"  drained after {drained_at - started:.0f}s; checking")
    check = await _check_until_settled(environment, run_id, accepted, runner, settle_seconds)
    for service in SERVICES:
        if not control.running(service):
            check.violate("services not running at the end", service)
    for service, deaths in runner.died_on_their_own.items():
        check.violate("services that died on their own (restarted)", f"{service} x{deaths}")
    faults = {**dict(sorted(runner.injected.items())), **faults_of_simulator}
    return RunOutcome(run_id, claims, faults, check, runner.errors, dict(accepted.retries) | {
        "refused": len(accepted.refused)}, {"load seconds": (posted_at or drained_at) - started,
                                            "drain seconds": drained_at - started,
                                            "check seconds": time.monotonic() - drained_at})


async def _terminal_count(database_url: str, run_id: str, last: int) -> int:
    try:
        connection = await asyncpg.connect(dsn(database_url), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return last  # PostgreSQL may be restarting
    try:
        return (await terminal_progress(connection, run_id))["terminal"]
    except (OSError, asyncpg.PostgresError):
        return last
    finally:
        await connection.close()


async def _check_until_settled(environment: dict[str, str], run_id: str, accepted: AcceptedClaims,
                               runner: FaultRunner, settle_seconds: float) -> CheckResult:
    """Checks again while they fail and time remains: the last events (denials, DLQ relays) may still travel."""
    deadline = time.monotonic() + settle_seconds
    while True:
        check = await check_run(environment["DATABASE_URL"], environment["CLEARINGHOUSE_URL"],
                                environment["KAFKA_BOOTSTRAP"], run_id, accepted.claims, runner.poisons.injected)
        for refusal in accepted.refused:
            check.violate("encounters the client could not place", refusal)
        if check.ok or time.monotonic() > deadline:
            return check
        await asyncio.sleep(10)
