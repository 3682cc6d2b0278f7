"""When which fault fires: each at a random point of the run's progress, independently per target.

Progress is (encounters posted + claims at their end state) / (2 N), so a fault at 0.7 lands while
the back of the pipeline (remittance, denials) is busy even after the client finished posting.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tools.chaos.poison import PoisonInjector
from tools.chaos.stack_control import SERVICES, StackControl

DUPLICATE_BURST_WAIT_SECONDS = 180.0


@dataclass(frozen=True)
class FaultProfile:
    """How much of each fault a run gets."""

    kills_per_service: int = 3
    restart_delay_seconds: tuple[float, float] = (0.5, 4.0)
    restart_kafka: bool = True
    restart_postgres: bool = True
    poison_batches: int = 3
    poisons_per_batch: int = 5
    short_poison_event_ids: bool = False
    # progress window with every webhook delivered 3 times; it stays open until a webhook was duplicated
    duplicate_burst: tuple[float, float] = (0.3, 0.5)
    clearinghouse: dict[str, float] = field(default_factory=lambda: {
        "submission_fail_before_rate": 0.03, "submission_fail_after_rate": 0.02,
        "submission_timeout_rate": 0.002, "submission_delay_rate": 0.03, "submission_delay_seconds": 0.3,
        "webhook_duplicate_rate": 0.05})


FULL = FaultProfile()
# make test's variant: each service killed once, one duplication burst, a few poisons, the shared
# broker and database left alone (other tests run on them). Clearinghouse calls fail before the
# 837 is read or are slow, but no answer is lost after it was recorded (fail_after, timeout): the
# submission service drops a 277CA that arrives while its submission still waits for that answer
# (status pending, recorded "unmatched"), which make chaos shows until it is fixed. Its poisons carry
# 12-digit event ids: with a UUID, remittance's dead-letter row id "dlq:remittance.submitted-claims:
# <uuid>" overflows outbox.event_id (64) and the consumer dies on the same poison after every restart,
# which make chaos shows and the shared stack of make test must not suffer.
SHORT = FaultProfile(kills_per_service=1, restart_delay_seconds=(0.2, 1.5), restart_kafka=False,
                     restart_postgres=False, poison_batches=1, poisons_per_batch=6, short_poison_event_ids=True,
                     clearinghouse={"submission_fail_before_rate": 0.08, "submission_delay_rate": 0.08,
                                    "submission_delay_seconds": 0.3})


@dataclass(order=True)
class ScheduledFault:
    at: float  # progress in [0, 1]
    name: str = field(compare=False)
    action: Callable[[], Awaitable[Any]] = field(compare=False)
    target: str = field(compare=False)  # faults on one target run one after the other


class FaultRunner:
    """Fires scheduled faults as progress passes them and tallies what was injected."""

    def __init__(self, control: StackControl, poisons: PoisonInjector, clearinghouse_url: str,
                 profile: FaultProfile, rng: random.Random):
        self.control = control
        self.poisons = poisons
        self.clearinghouse_url = clearinghouse_url
        self.profile = profile
        self.rng = rng
        self.injected: Counter[str] = Counter()
        self.died_on_their_own: Counter[str] = Counter()
        self.errors: list[str] = []
        self.pending = sorted(self._plan())
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def _plan(self) -> list[ScheduledFault]:
        profile, uniform = self.profile, self.rng.uniform
        plan = [ScheduledFault(uniform(0.03, 0.85), f"SIGKILL {service}", self._kill_and_restart(service), service)
                for service in SERVICES for _ in range(profile.kills_per_service)]
        if profile.restart_kafka:
            plan.append(ScheduledFault(uniform(0.2, 0.45), "restart Kafka", self._restart("kafka"), "infra"))
        if profile.restart_postgres:
            plan.append(ScheduledFault(uniform(0.5, 0.75), "restart PostgreSQL", self._restart("postgres"), "infra"))
        for _ in range(profile.poison_batches):
            plan.append(ScheduledFault(uniform(0.05, 0.8), "poison messages", self._poison, "poison"))
        start, end = profile.duplicate_burst
        plan.append(ScheduledFault(start, "duplicate burst on", lambda: self._duplicates(1.0), "clearinghouse"))
        plan.append(ScheduledFault(end, "duplicate burst off", self._end_duplicate_burst, "clearinghouse"))
        return plan

    def _kill_and_restart(self, service: str) -> Callable[[], Awaitable[None]]:
        async def action() -> None:
            if self.control.kill_service(service):
                self.injected[f"SIGKILL {service}"] += 1
            await asyncio.sleep(self.rng.uniform(*self.profile.restart_delay_seconds))
            await self.control.start_service(service)
        return action

    def _restart(self, what: str) -> Callable[[], Awaitable[None]]:
        async def action() -> None:
            await (self.control.restart_kafka() if what == "kafka" else self.control.restart_postgres())
            self.injected[f"restart {'Kafka' if what == 'kafka' else 'PostgreSQL'}"] += 1
        return action

    async def _poison(self) -> None:
        for attempt in range(30):  # the broker may be restarting right now
            try:
                sent = await self.poisons.inject(self.profile.poisons_per_batch)
            except Exception:  # noqa: BLE001 - retried; the broker comes back
                await asyncio.sleep(2 + attempt)
                continue
            for poison in sent:
                self.injected[f"poison {poison.kind}"] += 1
            return
        self.errors.append("could not inject poisons")

    async def _duplicates(self, rate: float) -> None:
        await self.set_clearinghouse_plan({**self.profile.clearinghouse, "webhook_duplicate_rate": rate})

    async def _end_duplicate_burst(self) -> None:
        """Close the burst once it duplicated a webhook: progress counts posted encounters too, so a small run
        can pass the whole window while posting, before the clearinghouse has answered anything."""
        deadline = asyncio.get_running_loop().time() + DUPLICATE_BURST_WAIT_SECONDS
        async with httpx.AsyncClient(timeout=30) as client:
            while asyncio.get_running_loop().time() < deadline:
                response = await client.get(f"{self.clearinghouse_url}/v1/faults")
                response.raise_for_status()
                if response.json()["injected"].get("webhook_duplicate", 0) > 0:
                    break
                await asyncio.sleep(0.5)
            else:
                self.errors.append(f"no webhook was duplicated within {DUPLICATE_BURST_WAIT_SECONDS} s of the burst")
        await self._duplicates(self.profile.clearinghouse.get("webhook_duplicate_rate", 0.0))

    async def set_clearinghouse_plan(self, plan: dict[str, float]) -> dict[str, Any]:
        """PUT the simulator's fault plan; returns its plan and counts."""
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.put(f"{self.clearinghouse_url}/v1/faults", json=plan)
            response.raise_for_status()
            return response.json()

    @property
    def busy(self) -> bool:
        """True while a fault is scheduled or still running (a restart in progress)."""
        return bool(self.pending) or any(not task.done() for task in self._tasks)

    def watch(self) -> None:
        """Act as the supervisor a deployment has: a service that died on its own is counted and restarted."""
        for service in SERVICES:
            lock = self._locks.setdefault(service, asyncio.Lock())
            if not lock.locked() and not self.control.running(service):
                self.died_on_their_own[service] += 1
                self._tasks.append(asyncio.create_task(self._run(ScheduledFault(
                    1.0, f"restart {service} after it died", lambda s=service: self.control.start_service(s),
                    service))))

    def advance(self, progress: float) -> None:
        """Start every fault whose point progress has passed."""
        self.watch()
        while self.pending and self.pending[0].at <= progress:
            fault = self.pending.pop(0)
            self._tasks.append(asyncio.create_task(self._run(fault)))

    async def _run(self, fault: ScheduledFault) -> None:
        lock = self._locks.setdefault(fault.target, asyncio.Lock())
        async with lock:
            try:
                await fault.action()
            except BaseException as error:  # noqa: BLE001 - reported, the run goes on
                self.errors.append(f"{fault.name}: {type(error).__name__}: {error}"[:500])

    async def finish(self) -> dict[str, int]:
        """Fire what is left, wait for every restart, turn the simulator's faults off; returns its counts."""
        self.advance(1.0)
        await asyncio.gather(*self._tasks)
        self.watch()
        await asyncio.gather(*self._tasks)
        answer = await self.set_clearinghouse_plan({})
        return {f"clearinghouse {kind}": count for kind, count in sorted(answer["injected"].items())}
