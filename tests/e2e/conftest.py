"""Fixtures for end-to-end tests: HTTP clients on the running stack, its database, a signed-webhook poster."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from shared.webhooks import webhook_headers
from tests.e2e.polling import eventually


@pytest.fixture(scope="session")
async def api(stack: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client carrying the development tenant's API key (pass absolute URLs)."""
    headers = {"Authorization": f"Bearer {stack['API_KEY']}"}
    async with httpx.AsyncClient(headers=headers, timeout=15) as client:
        yield client


@pytest.fixture(scope="session")
async def anonymous() -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials (webhooks, 401 checks)."""
    async with httpx.AsyncClient(timeout=15) as client:
        yield client


@pytest.fixture(scope="session")
async def database(stack: dict[str, str]) -> AsyncIterator[asyncpg.Pool]:
    """The stack's PostgreSQL, read only by convention: tests look at what the services recorded."""
    dsn = stack["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def webhook_body(kind: str, x12: str) -> bytes:
    """The clearinghouse's webhook payload: {"type", "timestamp", "data": {"x12"}}."""
    payload = {"type": kind, "timestamp": dt.datetime.now(dt.UTC).isoformat(), "data": {"x12": x12}}
    return json.dumps(payload, separators=(",", ":")).encode()


PostWebhook = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture(scope="session")
def post_webhook(anonymous: httpx.AsyncClient, stack: dict[str, str]) -> PostWebhook:
    """POST a correctly signed webhook (override msg_id / now / headers to test the receiver)."""

    async def post(url: str, body: bytes, msg_id: str | None = None, now: float | None = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        signed = webhook_headers(stack["WEBHOOK_SECRET"], body, msg_id=msg_id, now=now)
        sent = {"content-type": "application/json", **signed} if headers is None else headers
        return await anonymous.post(url, content=body, headers=sent)

    return post


async def post_encounter(api: httpx.AsyncClient, stack: dict[str, str], encounter: dict[str, Any],
                         key: str | None = None) -> httpx.Response:
    """POST /v1/encounters, with an Idempotency-Key when given."""
    headers = {"Idempotency-Key": key} if key else {}
    return await api.post(f"{stack['INTAKE_URL']}/v1/encounters", json=encounter, headers=headers)


async def claim_reaching(api: httpx.AsyncClient, stack: dict[str, str], claim_id: str,
                         statuses: set[str], timeout: float = 60) -> dict[str, Any]:
    """The claim once its status is one of statuses (fails with the last status seen)."""

    async def claim() -> dict[str, Any]:
        return (await api.get(f"{stack['INTAKE_URL']}/v1/claims/{claim_id}")).json()

    return await eventually(claim, lambda c: c.get("status") in statuses,
                            f"claim {claim_id} to reach {sorted(statuses)}", timeout)
