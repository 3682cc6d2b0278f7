"""Which failures a consumer retries (the server's trouble) and which count against the event."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.messaging.consumer import is_transient


class DriverError(Exception):
    """Shaped like SQLAlchemy's translated asyncpg error: a generic class carrying the SQLSTATE."""

    def __init__(self, sqlstate: str):
        super().__init__(f"driver error {sqlstate}")
        self.sqlstate = sqlstate


def wrapped(sqlstate: str) -> DBAPIError:
    return DBAPIError("SELECT 1", None, DriverError(sqlstate))


@pytest.mark.parametrize(("error", "transient"), [
    # PostgreSQL restarting or going away
    (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
    (asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"), True),
    (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"), True),
    (wrapped("57P01"), True),
    (wrapped("08006"), True),
    (wrapped("40P01"), True),  # deadlock detected: the batch is retried whole
    (wrapped("40001"), True),
    (ConnectionRefusedError(111, "Connection refused"), True),
    (TimeoutError(), True),
    (KafkaConnectionError("broker down"), True),
    # the event's own problem
    (wrapped("22P02"), False),  # invalid text representation
    (wrapped("42703"), False),  # undefined column: a bug, dead-lettered with its reason
    (IntegrityError("INSERT", None, DriverError("23505")), False),
    (ValueError("bad amount"), False),
    (KeyError("line"), False),
])
def test_is_transient(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient


def test_the_cause_chain_is_read() -> None:
    try:
        try:
            raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
        except asyncpg.exceptions.CannotConnectNowError as cause:
            raise RuntimeError("could not begin the unit of work") from cause
    except RuntimeError as error:
        assert is_transient(error)


def test_a_failure_unrelated_to_the_server_is_not_transient_even_when_chained() -> None:
    try:
        try:
            raise KeyError("code")
        except KeyError as cause:
            raise ValueError("no such code") from cause
    except ValueError as error:
        assert not is_transient(error)
