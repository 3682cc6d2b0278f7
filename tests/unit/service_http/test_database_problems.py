"""Database trouble leaves a service as problem+json: contention and outages are 503 with Retry-After, never 500."""

from __future__ import annotations

import asyncpg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.db import TransactionContention
from shared.http.problems import install_problem_handlers


def _wrapped(driver_error: Exception) -> DBAPIError:
    """What SQLAlchemy raises for a driver error: the adapted error (carrying sqlstate) inside a DBAPIError."""
    adapted = AsyncAdapt_asyncpg_dbapi.Error(str(driver_error))
    adapted.sqlstate = getattr(driver_error, "sqlstate", None)
    adapted.__cause__ = driver_error
    return DBAPIError("UPDATE claims SET ... WHERE member_id = $1", {"member_id": "PHI-123"}, adapted)


def _app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/v1/things")
    async def raise_it() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("error", "status", "retry_after"), [
    (TransactionContention("lost 4 times"), 503, "1"),
    (PoolTimeout("QueuePool limit of size 10 overflow 10 reached"), 503, "1"),
    (_wrapped(asyncpg.exceptions.DeadlockDetectedError("deadlock detected")), 503, "1"),
    (_wrapped(asyncpg.exceptions.SerializationError("could not serialize access")), 503, "1"),
    (_wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")), 503, "2"),
    (_wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key value")), 500, None),
])
def test_database_errors_become_problems(error: Exception, status: int, retry_after: str | None) -> None:
    response = _app_raising(error).post("/v1/things")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers.get("retry-after") == retry_after
    assert "PHI-123" not in response.text and "member_id" not in response.text
