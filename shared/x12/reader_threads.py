"""X12 files are read on worker threads, never on the event loop, at most two at a time per process.

Reading a file as large as the limits allow is a second or more of pure Python: on the event loop,
a second in which no other request is answered and no consumer is fed. On a worker thread the loop
keeps serving (the interpreter hands it the GIL every few milliseconds). The pool is small on
purpose: a read holds tens of MB while it lasts, so a burst of uploads waits here for a reader
rather than multiplying the memory, and the default executor (DNS lookups, other to_thread work)
is never crowded out by X12.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

READER_THREADS = 2
_readers = ThreadPoolExecutor(max_workers=READER_THREADS, thread_name_prefix="x12-reader")
P = ParamSpec("P")
T = TypeVar("T")


async def read_off_the_loop(read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """read(*args, **kwargs) on an X12 reader thread, with the caller's context (its current span) carried over.

    What asyncio.to_thread does, on this bounded pool rather than the loop's default executor.
    """
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        _readers, functools.partial(context.run, read, *args, **kwargs))
