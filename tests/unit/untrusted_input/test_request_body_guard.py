"""The request body guard: 413 over a route's limit (declared, streamed or lied about), 400 for JSON nesting
too deep, and for strict-JSON routes 415 for non-JSON and 400 for bytes that are not UTF-8 JSON."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.http.problems import ProblemError as BodyRefused
from shared.http.problems import install_problem_handlers
from shared.http.request_body import BodyRules, RequestBodyGuard, check_content_type, check_json


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
    app.add_middleware(RequestBodyGuard, routes={"/v1/encounters": BodyRules(max_bytes, strict_json=True)})
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


async def test_other_paths_and_reads_are_not_held_to_strict_json() -> None:
    async with _client() as client:
        other = await client.post("/v1/other", content=b"not json", headers={"content-type": "text/plain"})
        read = await client.get("/v1/encounters")
    assert other.status_code == read.status_code == 200


# Every route, not only strict-JSON ones: a body is bounded however it is sent.

def _guarded(app: Starlette | FastAPI, max_bytes: int = 100) -> httpx.AsyncClient:
    app.add_middleware(RequestBodyGuard, default=BodyRules(max_bytes))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://service")


async def _stream(total: int, chunk: int = 10):
    for _ in range(total // chunk):
        yield b"x" * chunk


def _problem(response: httpx.Response, status: int, problem_type: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/" + problem_type) and body["status"] == status
    return body


async def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body() -> None:
    reads = 0

    async def app(scope, receive, send):  # noqa: ANN001 - a bare ASGI app
        raise AssertionError("the app must not be called")

    async def receive():  # noqa: ANN202
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 200, "more_body": False}

    sent: list[dict] = []

    async def send(message):  # noqa: ANN001, ANN202
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/anything", "headers": [(b"content-length", b"101")],
             "query_string": b"", "root_path": ""}
    await RequestBodyGuard(app, default=BodyRules(100))(scope, receive, send)
    assert reads == 0
    assert sent[0]["status"] == 413
    assert b"100" in sent[1]["body"]  # the problem names the limit


@pytest.mark.parametrize("content_type", ["text/plain", "application/edi-x12", "application/json"])
async def test_a_chunked_body_over_the_limit_is_413_whatever_its_type(content_type: str) -> None:
    app = Starlette(routes=[Route("/v1/upload", _echo, methods=["POST"])])
    async with _guarded(app) as client:
        response = await client.post("/v1/upload", content=_stream(110), headers={"content-type": content_type})
        within = await client.post("/v1/upload", content=_stream(100), headers={"content-type": content_type})
    assert _problem(response, 413, "payload-too-large")["max_bytes"] == 100
    assert within.status_code == 200 and within.json() == {"received": 100}


@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
async def test_a_body_longer_than_its_declared_length_is_counted_not_trusted(content_type: str) -> None:
    app = Starlette(routes=[Route("/v1/upload", _echo, methods=["POST"])])
    async with _guarded(app) as client:
        response = await client.post("/v1/upload", content=_stream(500),
                                     headers={"content-type": content_type, "content-length": "10"})
    _problem(response, 413, "payload-too-large")


async def test_the_413_stands_even_when_the_app_swallows_the_error() -> None:
    async def forgiving(request: Request) -> JSONResponse:
        try:
            await request.body()
        except Exception:  # noqa: BLE001 - the point: an app that hides the refusal
            return JSONResponse({"ok": True})
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/v1/upload", forgiving, methods=["POST"])])
    async with _guarded(app) as client:
        response = await client.post("/v1/upload", content=_stream(200), headers={"content-type": "text/plain"})
    _problem(response, 413, "payload-too-large")


class Thing(BaseModel):
    name: str
    extra: dict[str, Any] = {}


def _fastapi() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/v1/things")
    async def post_thing(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    return app


async def test_a_fastapi_body_over_the_limit_is_413_not_a_parse_error() -> None:
    async with _guarded(_fastapi()) as client:
        response = await client.post("/v1/things", content=_stream(200), headers=JSON)
    _problem(response, 413, "payload-too-large")


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"name": "a", "extra": ' + b'{"a": ' * 65 + b"1" + b"}" * 66,
                                  b'{"name": "a", "extra": {"x": ' + b"[" * 900 + b"]" * 900 + b"}}"])
async def test_json_nesting_too_deep_is_a_400_problem_naming_the_limit(body: bytes) -> None:
    async with _guarded(_fastapi(), max_bytes=1024 * 1024) as client:
        response = await client.post("/v1/things", content=body, headers=JSON)
    assert _problem(response, 400, "json-too-deep")["max_depth"] == 64


async def test_json_within_the_depth_limit_and_brackets_inside_strings_pass() -> None:
    body = b'{"name": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "extra": ' + \
        b'{"a": ' * 60 + b"1" + b"}" * 61
    async with _guarded(_fastapi(), max_bytes=1024 * 1024) as client:
        response = await client.post("/v1/things", content=body, headers=JSON)
    assert response.status_code == 200, response.text


async def test_a_strict_json_route_refuses_a_depth_bomb_with_400() -> None:
    async with _client(max_bytes=1024 * 1024) as client:
        response = await client.post("/v1/encounters", content=b"[" * 100_000, headers=JSON)
    _problem(response, 400, "json-too-deep")
