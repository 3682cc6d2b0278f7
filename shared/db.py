"""Async SQLAlchemy engine and the unit of work: one transaction for state, events, outbox and inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(database_url: str, *, pool_size: int = 10, instrument: bool = True) -> AsyncEngine:
    """Build the service's engine (called from the composition root, never at import time)."""
    engine = create_async_engine(database_url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)
    if instrument:
        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (handlers read what they wrote)."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Open a session in a transaction; commit on success, roll back on error. Handlers never commit."""
    async with sessions() as session, session.begin():
        yield session
