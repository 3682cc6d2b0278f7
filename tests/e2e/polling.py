"""Waiting for asynchronous outcomes with a deadline, never a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T]], until: Callable[[T], bool], what: str,
                     timeout: float = 60, interval: float = 0.2) -> T:
    """Call probe until its result satisfies `until`; fail with the last result after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if until(result):
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"gave up after {timeout:.0f}s waiting for {what}; last seen: {result!r}")
        await asyncio.sleep(interval)
