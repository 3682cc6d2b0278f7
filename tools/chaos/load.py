"""The at-least-once client: post N encounters, retrying every failure with the same Idempotency-Key.

A connection error, a timeout or a 5xx means "maybe": the encounter is posted again with the same
key until intake gives a definite answer, so each encounter becomes exactly one claim however often
intake dies under it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.encounters import encounter_for as test_encounter_for

PAYERS = ("SIMPAY", "SIMDNY", "SIMREJ", "SIMACK")


def encounter_for(payer_id: str, external_id: str) -> dict[str, Any]:
    """The test suite's valid encounter for payer_id (dated inside the shipped code sets), with our id."""
    return test_encounter_for(payer_id, external_id=external_id)


@dataclass
class AcceptedClaims:
    """What the client got back: claim id -> payer, and how often it had to try again."""

    claims: dict[str, str] = field(default_factory=dict)
    retries: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)  # definite 4xx answers (a client bug, reported)

    @property
    def posted(self) -> int:
        return len(self.claims) + len(self.refused)


async def post_with_retries(client: httpx.AsyncClient, intake_url: str, encounter: dict[str, Any], key: str,
                            result: AcceptedClaims, give_up_after: float = 600) -> None:
    """POST until 2xx or a definite 4xx; connection errors, timeouts and 5xx are retried with the same key."""
    deadline = asyncio.get_running_loop().time() + give_up_after
    delay = 0.2
    while True:
        try:
            response = await client.post(f"{intake_url}/v1/encounters", json=encounter,
                                         headers={"Idempotency-Key": key})
        except httpx.HTTPError as error:
            result.retries[type(error).__name__] += 1
        else:
            if response.status_code < 300:
                result.claims[response.json()["claim_id"]] = encounter["coverages"][0]["payer"]["payer_id"]
                return
            if response.status_code < 500 and response.status_code not in (408, 429):
                result.refused.append(f"{key}: HTTP {response.status_code}")
                return
            result.retries[f"HTTP {response.status_code}"] += 1
        if asyncio.get_running_loop().time() > deadline:
            result.refused.append(f"{key}: gave up after {give_up_after:.0f}s")
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 3.0)


async def post_encounters(intake_url: str, api_key: str, count: int, run_id: str, result: AcceptedClaims,
                          concurrency: int = 8, rate_per_second: float | None = None) -> None:
    """Post count encounters, payers round-robin, with `concurrency` requests in flight."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(count):
        queue.put_nowait(number)
    headers = {"Authorization": f"Bearer {api_key}"}
    interval = 1 / rate_per_second if rate_per_second else 0.0

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            number = queue.get_nowait()
            payer = PAYERS[number % len(PAYERS)]
            external_id = f"CH-{run_id}-{number:06d}"
            await post_with_retries(client, intake_url, encounter_for(payer, external_id),
                                    f"chaos-{run_id}-{number}", result)
            if interval:
                await asyncio.sleep(interval * concurrency)

    async with httpx.AsyncClient(headers=headers, timeout=15) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))


def new_run_id() -> str:
    """A short id that keeps this run's external ids and keys apart from any other run's."""
    return uuid.uuid4().hex[:8]
