"""Every request body is bounded before anything reads it: one ASGI middleware in front of every route.

`RequestBodyGuard` refuses a body whose Content-Length passes the route's limit before reading a
byte, and counts the bytes of any other body (chunked, or lying about its length) as they arrive,
answering 413 problem+json as soon as they pass it. It sits outside the routes, so a webhook's
body is bounded before its signature is computed and a login form before it is parsed.

JSON bodies (application/json or any +json type) are read whole here, within the limit, and
refused with 400 when they nest deeper than `MAX_JSON_DEPTH`, whichever route would have parsed
them. A route may also ask for strict JSON: the content type must be application/json in UTF-8 and
no object may repeat a key (intake's encounters), checked before the route runs; such a route reads the
parsed document from `request.state` (`PARSED_BODY`) instead of parsing it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.json_body import check_depth, load_json
from shared.http.problems import PayloadTooLarge, ProblemError, UnsupportedMediaType, problem

KIB, MIB = 1024, 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 1 * MIB  # an encounter with a 100,000-character note fits with room to spare
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
CLOSE_BEYOND = 8  # a declared body this many times the route's limit is refused on a closed connection


@dataclass(frozen=True)
class BodyRules:
    """What one route accepts as a body: its size limit and whether only strict JSON will do."""

    max_bytes: int = DEFAULT_MAX_BODY_BYTES
    strict_json: bool = False


def too_large(max_bytes: int) -> PayloadTooLarge:
    """The 413 problem every size refusal answers, naming the limit."""
    return PayloadTooLarge(f"the body must be at most {max_bytes} bytes", max_bytes=max_bytes)


def _media_type(content_type: str | None) -> tuple[str, list[str]]:
    media_type, *parameters = [part.strip().lower() for part in (content_type or "").split(";")]
    return media_type, parameters


def is_json(content_type: str | None) -> bool:
    """application/json, or a structured +json type (application/fhir+json, application/problem+json)."""
    media_type, _ = _media_type(content_type)
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def check_content_type(content_type: str | None) -> None:
    """Strict JSON: only application/json, with no charset or charset=utf-8."""
    media_type, parameters = _media_type(content_type)
    if media_type != "application/json":
        raise UnsupportedMediaType("send the body as Content-Type: application/json")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise UnsupportedMediaType("JSON must be sent as UTF-8")


def check_json(body: bytes) -> Any:
    """Strict JSON: UTF-8 text holding one JSON document, not nested too deep, whose objects repeat no key;
    returns the document."""
    return load_json(body, reject_repeated_keys=True)


# Where a strict-JSON route finds the document the guard parsed (request.state), so the body is parsed once.
PARSED_BODY = "json_body"


class _BodyTooLarge(PayloadTooLarge):
    """Raised into the app from receive(); the guard answers for it, whatever the app made of it."""


class RequestBodyGuard:
    """Bounds every request body (413), and checks JSON bodies (400) and strict-JSON routes (415) up front."""

    def __init__(self, app: ASGIApp, routes: Mapping[str, BodyRules] | None = None,
                 default: BodyRules = BodyRules()):
        self.app, self.routes, self.default = app, dict(routes or {}), default

    def rules_for(self, path: str) -> BodyRules:
        """The rules of the route at path (exact path; every other route has the default)."""
        return self.routes.get(path, self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rules = self.rules_for(scope["path"])
        headers = Headers(scope=scope)
        strict = rules.strict_json and scope["method"] in WRITE_METHODS
        try:
            declared = headers.get("content-length", "").strip()
            if declared.isdigit() and int(declared) > rules.max_bytes:
                # refused before a byte of the body is read; a body far past the limit also loses the connection
                refusal = too_large(rules.max_bytes)
                refusal.close_connection = int(declared) > CLOSE_BEYOND * rules.max_bytes
                raise refusal
            if strict:
                check_content_type(headers.get("content-type"))
            if not (strict or is_json(headers.get("content-type"))):
                await self._streamed(scope, receive, send, rules.max_bytes)
                return
            body = await self._read(receive, rules.max_bytes)
            if body is None:
                return  # the client went away
            if strict:
                scope.setdefault("state", {})[PARSED_BODY] = check_json(body)
            elif body:
                check_depth(body)
        except ProblemError as refused:
            await _answer(refused, scope, receive, send)
            return
        await self.app(scope, _replaying(body, receive), send)

    @staticmethod
    async def _read(receive: Receive, max_bytes: int) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                raise too_large(max_bytes)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        """Pass the body through as it arrives, counting; past the limit the app's answer gives way to a 413."""
        received, exceeded, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    exceeded = True
                    raise _BodyTooLarge(str(too_large(max_bytes)))
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app answered to the exception, the answer is ours
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _answer(too_large(max_bytes), scope, receive, send)


def _replaying(body: bytes, receive: Receive) -> Receive:
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _answer(refused: ProblemError, scope: Scope, receive: Receive, send: Send) -> None:
    response = problem(refused.status, refused.problem_type, refused.title, refused.detail, scope["path"],
                       **refused.extensions)
    if getattr(refused, "close_connection", False):
        # Not for every 413: closing while the client still sends makes it see a reset, not the answer.
        # The server discards an unread body of a kept connection; one this large is not worth reading.
        response.headers["Connection"] = "close"
    await response(scope, receive, send)
