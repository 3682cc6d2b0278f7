"""The lifecycle bench's load generator: open-loop POSTs of prepared encounters over kept-alive connections.

It shares two cores with the stack it measures, so it must cost little: every request is built as bytes
before the clock starts, and each connection writes a request and reads its answer with nothing between
(no HTTP client library: one status line, headers up to Content-Length, the body). Requests go out on
schedule whatever the answers (open loop): a slow stack shows as latency and as requests waiting for a
free connection, never as a politely lowered rate. Latency is counted from each request's scheduled time,
so waiting for a connection counts too.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.stack_access import encounter_for


@dataclass
class Offered:
    claims: dict[str, str] = field(default_factory=dict)  # claim id -> payer
    refused: dict[int, int] = field(default_factory=dict)  # HTTP status -> count (0: no answer)
    request_seconds: list[float] = field(default_factory=list)  # from the scheduled time to the answer
    seconds: float = 0.0


@dataclass(frozen=True)
class Prepared:
    payer: str
    request: bytes


def prepare(intake_url: str, api_key: str, payers: Sequence[str], count: int, label: str,
            seed: int = 20261207) -> list[Prepared]:
    """count requests, payers in turn, each encounter a visit of its own (a distinct note)."""
    host = urlsplit(intake_url).netloc
    rng = random.Random(seed)
    prepared = []
    for index in range(count):
        payer = payers[index % len(payers)]
        body = json.dumps(encounter_for(payer, label, rng), separators=(",", ":")).encode()
        head = (f"POST /v1/encounters HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {api_key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        prepared.append(Prepared(payer, head + body))
    return prepared


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    writer.write(request)
    status_line = await reader.readline()
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def offer(intake_urls: list[str], api_key: str, rate: float, seconds: float, label: str,
                payers: Sequence[str] = ("SIMPAY", "SIMACK"), connections: int = 64) -> Offered:
    """POST rate x seconds prepared encounters on an open-loop schedule, round robin over intake's instances."""
    total = max(1, int(rate * seconds))
    prepared = {url: prepare(url, api_key, payers, total, label) for url in intake_urls}
    offered = Offered()
    queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()

    async def connection(url: str) -> None:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while True:
                index, due = await queue.get()
                if index < 0:
                    return
                item = prepared[url][index]
                try:
                    status, body = await _exchange(reader, writer, item.request)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    offered.refused[0] = offered.refused.get(0, 0) + 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                    continue
                offered.request_seconds.append(time.monotonic() - due)
                if status == 202:
                    offered.claims[json.loads(body)["claim_id"]] = item.payer
                else:
                    offered.refused[status] = offered.refused.get(status, 0) + 1
        finally:
            writer.close()

    workers = [asyncio.create_task(connection(intake_urls[n % len(intake_urls)])) for n in range(connections)]
    start = time.monotonic()
    for index in range(total):
        due = start + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((index, due))
    for _ in workers:
        queue.put_nowait((-1, 0.0))
    await asyncio.gather(*workers)
    offered.seconds = time.monotonic() - start
    return offered
