"""POST /v1/x12/837 in process: the file is read on an X12 reader thread, and one over the limits is a 413 naming them.

Only refusals are driven here (no claim is accepted), so the app needs no database: a stand-in
runtime lets every caller in.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import Request

from services.intake.app import create_app
from services.intake.entrypoints import http_formats
from shared.access_tokens import CLAIMS_READ, ENCOUNTERS_WRITE
from shared.settings import ServiceSettings
from shared.tenancy import Principal

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261207*1200*^*00501*000000001*0*P*:~"
X12 = {"content-type": "application/edi-x12"}


class LettingEveryoneIn:
    async def authenticate(self, request: Request) -> str:
        request.state.principal = Principal("tenant-a", "api_key", "key-1", frozenset({ENCOUNTERS_WRITE, CLAIMS_READ}))
        return "tenant-a"


@pytest.fixture
async def intake() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ServiceSettings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
                                     kafka_bootstrap="127.0.0.1:1"))
    app.state.runtime = LettingEveryoneIn()

    async def admit(_tenant_id: str) -> None:
        return None

    app.state.rate_limiter = SimpleNamespace(admit=admit)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client:
        yield client


async def test_the_837_is_read_on_an_x12_reader_thread(intake: httpx.AsyncClient,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []

    def recording_reader(*args: Any) -> list[Any]:
        threads.append(threading.current_thread().name)
        return []

    monkeypatch.setattr(http_formats, "read_837p", recording_reader)
    response = await intake.post("/v1/x12/837", content=ISA + "ST*837~", headers=X12)
    assert response.status_code == 200, response.text
    assert threads and threads[0].startswith("x12-reader")


async def test_an_837_with_more_segments_than_the_limit_is_413_naming_it(intake: httpx.AsyncClient) -> None:
    limit = http_formats.X12_837_LIMITS.max_segments
    response = await intake.post("/v1/x12/837", content=ISA + "AB~" * limit, headers=X12)
    assert response.status_code == 413, response.text
    problem = response.json()
    assert problem["type"].endswith("/x12-too-large")
    assert (problem["unit"], problem["limit"]) == ("segments", limit)
    assert str(limit) in problem["detail"]


async def test_an_837_over_the_byte_limit_is_413_naming_it(intake: httpx.AsyncClient) -> None:
    response = await intake.post("/v1/x12/837", content=b"A" * (http_formats.MAX_837_BYTES + 1), headers=X12)
    assert response.status_code == 413, response.text
    assert response.json()["max_bytes"] == http_formats.MAX_837_BYTES


async def test_an_unreadable_837_under_the_limits_is_still_422(intake: httpx.AsyncClient) -> None:
    response = await intake.post("/v1/x12/837", content=ISA + "AB~" * 1000, headers=X12)
    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("/x12-unreadable")
