"""Async SQLAlchemy engine and the unit of work: one transaction for state, events, outbox and inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session


def create_engine(database_url: str, *, pool_size: int = 10, instrument: bool = True) -> AsyncEngine:
    """Build the service's engine (called from the composition root, never at import time)."""
    engine = create_async_engine(database_url, pool_size=pool_size, max_overflow=10)
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
    """Sessions that keep loaded values after commit (handlers read what they wrote).

    Each factory gets a Session class of its own so `on_commit` hooks stay with their service.
    """
    session_class = type("ServiceSession", (Session,), {})
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


def on_commit(sessions: async_sessionmaker[AsyncSession], callback: Callable[[], None]) -> None:
    """Call callback after each commit that wrote something, from a session of this factory: wakes
    the relay and the dispatcher at once instead of having them poll an idle database. Read-only
    commits do not count, or a poller's own empty pass would wake it again."""
    session_class = sessions.kw["sync_session_class"]
    if not getattr(session_class, "_tracks_writes", False):
        event.listen(session_class, "do_orm_execute", _note_write)
        session_class._tracks_writes = True

    def after_commit(session: Session) -> None:
        if session.info.get("wrote"):
            callback()

    event.listen(session_class, "after_commit", after_commit)


def _note_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Open a session in a transaction; commit on success, roll back on error. Handlers never commit."""
    async with sessions() as session, session.begin():
        yield session
