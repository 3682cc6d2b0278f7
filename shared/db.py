"""Async SQLAlchemy engine and the unit of work: one transaction for state, events, outbox and inbox."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(database_url: str, *, pool_size: int = 10, instrument: bool = False,
                  pool_timeout: float = 30.0) -> AsyncEngine:
    """Build the service's engine (called from the composition root, never at import time).

    `instrument`: a span per statement (TRACE_SQL_STATEMENTS), off by default: it cost more than the
    statements. Parameters are never put in error messages (they can be PHI). Overflow connections (beyond
    pool_size) are closed when returned: a pool smaller than the work under way opens a connection, and
    prepares its statements again, for nearly every request."""
    engine = create_async_engine(database_url, pool_size=pool_size, max_overflow=10, hide_parameters=True,
                                 pool_timeout=pool_timeout)
    # Not pool_pre_ping: on asyncpg it costs three round trips (BEGIN, a query, ROLLBACK) per checkout,
    # which profiling showed as a large share of every service's CPU. A connection PostgreSQL closed
    # (a restart, an idle kill) is already known closed to asyncpg, which is free to ask; a connection
    # lost silently fails on first use, SQLAlchemy then drops the whole pool, and the caller's
    # transaction is retried (consumers treat it as transient, HTTP callers get a 503-class answer).
    event.listen(engine.sync_engine.pool, "checkout", _discard_closed_connection)
    if instrument:
        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)
    return engine


def _discard_closed_connection(dbapi_connection: object, _record: object, _proxy: object) -> None:
    """Pool checkout hook: hand out no connection the server already closed (the pool takes another)."""
    driver_connection = getattr(dbapi_connection, "driver_connection", None)
    if driver_connection is not None and driver_connection.is_closed():
        raise DisconnectionError("connection closed by the server")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (handlers read what they wrote)."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Open a session in a transaction; commit on success, roll back on error. Handlers never commit."""
    async with sessions() as session, session.begin():
        yield session


# Deadlock detected and serialization failure: the transaction lost a race with another one and
# can simply run again; nothing about the request itself is wrong.
CONTENTION_SQLSTATES = frozenset({"40001", "40P01"})


def sqlstate_of(error: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE anywhere in the error's cause chain (SQLAlchemy wraps the driver's error)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str):
            return sqlstate
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None


def is_contention(error: BaseException) -> bool:
    """Whether the error is a deadlock or serialization failure: worth running the transaction again."""
    return sqlstate_of(error) in CONTENTION_SQLSTATES


class TransactionContention(Exception):
    """A transaction kept losing to concurrent ones; the edge answers 503 with Retry-After."""

    retry_after_seconds = 1


class TransactionAttempt:
    """One try of a retried transaction: `async with attempt as session` runs the body in a transaction
    that commits on success; a deadlock or serialization failure is swallowed and marks it for a retry."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self.lost_to_contention = False

    async def __aenter__(self) -> AsyncSession:
        self._session = self._sessions()
        await self._session.begin()
        return self._session

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> bool:
        assert self._session is not None
        session, self._session = self._session, None
        try:
            if error is None:
                try:
                    await session.commit()
                except Exception as commit_error:
                    if not is_contention(commit_error):
                        raise
                    self.lost_to_contention = True  # a serialization failure can surface at COMMIT
            elif isinstance(error, Exception) and is_contention(error):
                self.lost_to_contention = True
                return True
            return False
        finally:
            await session.close()  # rolls back whatever is still open


async def transaction_attempts(sessions: async_sessionmaker[AsyncSession], *, attempts: int = 4,
                               first_backoff_seconds: float = 0.02) -> AsyncIterator[TransactionAttempt]:
    """Run a transaction again when it deadlocks or fails to serialize, with jittered backoff:

        async for attempt in transaction_attempts(sessions):
            async with attempt as session:
                ...

    Raises TransactionContention after `attempts` losses (HTTP answers 503 with Retry-After). Any other
    error leaves the loop at once; so does the first attempt that commits."""
    backoff = first_backoff_seconds
    for number in range(attempts):
        attempt = TransactionAttempt(sessions)
        yield attempt
        if not attempt.lost_to_contention:
            return
        if number + 1 < attempts:
            await asyncio.sleep(random.uniform(0, backoff))  # full jitter: the racers spread out
            backoff *= 4
    raise TransactionContention(f"the transaction lost to concurrent ones {attempts} times")
