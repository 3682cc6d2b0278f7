"""ASGI guard for JSON write routes: size limit (413), JSON content type (415), UTF-8 JSON (400).

It runs before FastAPI reads the body, so an oversized or non-JSON request never reaches a route,
and every refusal is problem+json. Details name what is wrong with the body, never its content.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import MalformedBody, PayloadTooLarge, ProblemError, UnsupportedMediaType, problem

MAX_ENCOUNTER_BYTES = 1024 * 1024
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


class MalformedJson(MalformedBody):
    problem_type, title = "malformed-json", "Malformed JSON"


# Refusals are the shared problem errors; the guard answers them itself, before any route runs.
BodyRefused = ProblemError


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the body must be at most {max_bytes} bytes")


def check_content_type(content_type: str | None) -> None:
    """Only application/json, with no charset or charset=utf-8, is accepted."""
    media_type, *parameters = [part.strip().lower() for part in (content_type or "").split(";")]
    if media_type != "application/json":
        raise UnsupportedMediaType("send the encounter as Content-Type: application/json")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise UnsupportedMediaType("JSON must be sent as UTF-8")


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise MalformedJson("an object in the body repeats a key")
    return document


def check_json(body: bytes) -> Any:
    """The body must be UTF-8 text holding one JSON document whose objects repeat no key; returns it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedJson(f"the body is not UTF-8 (byte {error.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as error:
        raise MalformedJson(
            f"the body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None


PARSED_BODY = "json_body"  # where the guard leaves the parsed document (request.state), so routes parse nothing


class JsonBodyGuard:
    """Checks the body of write requests to `paths` before the app sees it, then replays it; the parsed
    document is left on the request's state (`PARSED_BODY`) for a route that takes it from there."""

    def __init__(self, app: ASGIApp, paths: Collection[str], max_bytes: int = MAX_ENCOUNTER_BYTES):
        self.app, self.paths, self.max_bytes = app, frozenset(paths), max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITE_METHODS or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        try:
            checked = await self._checked_body(scope, receive)
        except BodyRefused as refused:
            response = problem(refused.status, refused.problem_type, refused.title, refused.detail, scope["path"])
            await response(scope, receive, send)
            return
        if checked is None:
            return  # the client went away
        body, document = checked
        scope.setdefault("state", {})[PARSED_BODY] = document
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _checked_body(self, scope: Scope, receive: Receive) -> tuple[bytes, Any] | None:
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise _too_large(self.max_bytes)  # refuse before reading anything
        check_content_type(headers.get("content-type"))
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _too_large(self.max_bytes)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        return body, check_json(body)
