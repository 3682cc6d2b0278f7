"""Every route of every service and of the console bounds its request body and its JSON depth, on the stack.

The routes are enumerated from the apps themselves (create_app), so a route added later is covered
without touching this file. Two ways a body can be too large:

- declared: a Content-Length over the route's limit is answered 413 at once, before a byte of the
  body is sent (the request below sends its headers only, then waits for the answer);
- streamed: a chunked body, with no length, passes the limit by one byte: every route that reads
  its body answers 413; the others answer without reading it (never 5xx).

And 100,000 `[` sent as JSON are a 400 problem on every route that reads a body, never a 500.
"""

from __future__ import annotations

import asyncio
import importlib
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from shared.http.request_body import BodyRules, RequestBodyGuard
from shared.settings import ServiceSettings

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "coding", "submission", "remittance", "denials", "console")
# Console pages read their form themselves (no body in the OpenAPI document, which omits them).
FORM_PAGES = {("console", "/login"), ("console", "/dead-letters/replay")}


@dataclass(frozen=True)
class RouteUnderTest:
    service: str
    method: str
    path: str  # with its parameters filled in
    max_bytes: int
    reads_body: bool

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def _app(service: str) -> FastAPI:
    module = importlib.import_module(f"services.{service}.app")
    if service == "console":
        return module.create_app()
    return module.create_app(ServiceSettings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
                                             kafka_bootstrap="127.0.0.1:1"))


def _guard_rules(app: FastAPI) -> tuple[BodyRules, dict[str, BodyRules]]:
    guards = [m for m in app.user_middleware if m.cls is RequestBodyGuard]
    assert len(guards) == 1, "every app installs exactly one body guard"
    options = guards[0].kwargs
    return options.get("default", BodyRules()), dict(options.get("routes") or {})


def _filled(path: str) -> str:
    """A concrete path: ids that exist nowhere (a number where the route wants one)."""
    parts = []
    for part in path.split("/"):
        if part.startswith("{"):
            part = "0" if "index" in part else "00000000-0000-4000-8000-000000000000"
        parts.append(part)
    return "/".join(parts)


def routes_under_test() -> list[RouteUnderTest]:
    found = []
    for service in SERVICES:
        app = _app(service)
        default, rules = _guard_rules(app)
        paths = set()
        for route in iter_route_contexts(app.routes):
            original, path = route.original_route, route.path
            if path is None:
                continue
            paths.add(path)
            declares_body = isinstance(original, APIRoute) and (
                original.body_field is not None or "requestBody" in (original.openapi_extra or {}))
            reads_body = declares_body or path in rules or (service, path) in FORM_PAGES
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.append(RouteUnderTest(service, method, _filled(path), rules.get(path, default).max_bytes,
                                            reads_body))
        assert set(rules) <= paths, f"{service}: body rules for routes that do not exist: {set(rules) - paths}"
    return found


ROUTES = routes_under_test()


def _base_url(stack: dict[str, str], service: str) -> str:
    return stack[f"{service.upper()}_URL"]


def _credentials(stack: dict[str, str], route: RouteUnderTest) -> str:
    admin = route.service == "console" or route.path.startswith("/v1/admin")
    return f"Bearer {stack['ADMIN_TOKEN'] if admin else stack['API_KEY']}"


async def _status_of_headers_only(url: str, method: str, path: str, declared: int, authorization: str) -> str:
    """Send a request's headers declaring `declared` bytes of body, send none, and read the status line."""
    parsed = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    try:
        writer.write((f"{method} {path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nContent-Type: application/json\r\n"
                      f"Authorization: {authorization}\r\nContent-Length: {declared}\r\n\r\n").encode())
        await writer.drain()
        try:
            status_line = await asyncio.wait_for(reader.readline(), timeout=10)
        except TimeoutError:
            return "no answer: waiting for the body"
        return status_line.decode("latin-1").strip()
    finally:
        writer.close()


@pytest.mark.parametrize("route", ROUTES, ids=str)
async def test_a_declared_length_over_the_limit_is_413_before_the_body_is_sent(
        stack: dict[str, str], route: RouteUnderTest) -> None:
    status_line = await _status_of_headers_only(_base_url(stack, route.service), route.method, route.path,
                                                route.max_bytes + 1, _credentials(stack, route))
    assert status_line.startswith("HTTP/1.1 413"), f"{route}: {status_line}"


async def _chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    while total > 0:
        yield b" " * min(size, total)
        total -= size


WRITES = [route for route in ROUTES if route.method in {"POST", "PUT", "PATCH", "DELETE"}]


@pytest.mark.parametrize("route", WRITES, ids=str)
async def test_a_chunked_body_one_byte_over_the_limit_is_413_on_every_route_that_reads_it(
        stack: dict[str, str], route: RouteUnderTest) -> None:
    content_type = "application/json" if route.service != "console" or route.path.startswith("/v1") \
        else "application/x-www-form-urlencoded"
    async with httpx.AsyncClient(base_url=_base_url(stack, route.service), timeout=60) as client:
        response = await client.request(route.method, route.path, content=_chunks(route.max_bytes + 1), headers={
            "Authorization": _credentials(stack, route), "Content-Type": content_type})
    if route.reads_body:
        assert response.status_code == 413, f"{route}: {response.status_code} {response.text[:300]}"
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["max_bytes"] == route.max_bytes
    else:
        assert response.status_code < 500, f"{route}: {response.status_code} {response.text[:300]}"


@pytest.mark.parametrize("route", [route for route in WRITES if route.reads_body], ids=str)
async def test_a_json_depth_bomb_is_a_400_problem_on_every_route_that_reads_a_body(
        stack: dict[str, str], route: RouteUnderTest) -> None:
    bomb = b"[" * min(100_000, route.max_bytes)  # within the size limit, far past the depth one
    async with httpx.AsyncClient(base_url=_base_url(stack, route.service), timeout=60) as client:
        response = await client.request(route.method, route.path, content=bomb, headers={
            "Authorization": _credentials(stack, route), "Content-Type": "application/json"})
    assert response.status_code == 400, f"{route}: {response.status_code} {response.text[:300]}"
    assert response.json()["type"].endswith("/json-too-deep")
