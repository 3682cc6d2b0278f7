"""Intake's body guard: 413 over the limit, 415 for non-JSON, 400 for bytes that are not UTF-8 JSON."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.intake.entrypoints.request_body import BodyRefused, JsonBodyGuard, check_content_type, check_json


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON; charset=UTF-8", 'application/json;charset="utf-8"'])
def test_json_content_types_pass(content_type: str) -> None:
    check_content_type(content_type)


@pytest.mark.parametrize(("content_type", "status"), [
    (None, 415), ("", 415), ("text/plain", 415), ("application/x-www-form-urlencoded", 415),
    ("multipart/form-data; boundary=x", 415), ("application/fhir+json", 415), ("application/jsonx", 415),
    ("application/json; charset=latin-1", 415), ("application/json; charset=utf-16", 415),
])
def test_other_content_types_are_refused(content_type: str | None, status: int) -> None:
    with pytest.raises(BodyRefused) as refused:
        check_content_type(content_type)
    assert refused.value.status == status


@pytest.mark.parametrize("body", [b"{}", b'{"a": [1, 2, {"b": null}]}', '{"name": "Zoë"}'.encode(), b" [] "])
def test_utf8_json_passes(body: bytes) -> None:
    check_json(body)


@pytest.mark.parametrize("body", [b"", b"{", b'{"a": 1,}', b"{'a': 1}", b'{"a": 1}{"b": 2}', b"\xef\xbb\xbf{}",
                                  '{"a": "Zoë"}'.encode("latin-1"), '{"a": 1}'.encode("utf-16"),
                                  b'{"a": 1, "a": 2}', b'{"x": {"a": 1, "a": 1}}', b"NaNx"])
def test_malformed_bodies_are_400(body: bytes) -> None:
    with pytest.raises(BodyRefused) as refused:
        check_json(body)
    assert refused.value.status == 400 and refused.value.problem_type == "malformed-json"


def test_details_do_not_echo_the_body() -> None:
    with pytest.raises(BodyRefused) as refused:
        check_json(b'{"first_name": "Zebediah" "x"}')
    assert "Zebediah" not in refused.value.detail


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"received": len(await request.body())})


def _client(max_bytes: int = 64) -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/v1/encounters", _echo, methods=["POST", "GET"]),
                            Route("/v1/other", _echo, methods=["POST"])])
    app.add_middleware(JsonBodyGuard, paths={"/v1/encounters"}, max_bytes=max_bytes)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake")


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(("body", "headers", "status", "problem"), [
    (b'{"a": 1}', JSON, 200, None),
    (b"{" + b'"a": "' + b"x" * 60 + b'"}', JSON, 413, "payload-too-large"),
    (b'{"a": 1}', {"content-type": "text/plain"}, 415, "unsupported-media-type"),
    (b'{"a": 1}', {}, 415, "unsupported-media-type"),
    (b'{"a": ', JSON, 400, "malformed-json"),
    (b'{"a": "\xff"}', JSON, 400, "malformed-json"),
])
async def test_the_guard_answers_with_problems(body: bytes, headers: dict, status: int, problem: str | None) -> None:
    async with _client() as client:
        response = await client.post("/v1/encounters", content=body, headers=headers)
    assert response.status_code == status, response.text
    if problem is None:
        assert response.json() == {"received": len(body)}
    else:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].endswith("/" + problem) and response.json()["status"] == status


async def test_a_streamed_body_over_the_limit_is_413() -> None:
    async def chunks():
        for _ in range(10):
            yield b" " * 10

    async with _client() as client:
        response = await client.post("/v1/encounters", content=chunks(), headers=JSON)
    assert response.status_code == 413


async def test_a_declared_length_over_the_limit_is_413_before_reading() -> None:
    async with _client() as client:
        response = await client.post("/v1/encounters", content=b"{}", headers={**JSON, "content-length": "65"})
    assert response.status_code == 413


async def test_other_paths_and_reads_are_not_guarded() -> None:
    async with _client() as client:
        other = await client.post("/v1/other", content=b"not json", headers={"content-type": "text/plain"})
        read = await client.get("/v1/encounters")
    assert other.status_code == read.status_code == 200
