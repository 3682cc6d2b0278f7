"""RFC 9457 problem+json for every error a service returns.

Validation problems list every error at once, each with a JSON pointer to the field; they never
echo the submitted value (it may be PHI).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db import TransactionContention, is_contention, sqlstate_of
from shared.errors import DomainError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://claimline.dev/problems/"


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response carries them."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, str]] | None = Field(default=None, description="validation errors: pointer and detail")


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# Documented on every route so clients (and schemathesis) know each error's shape and media type.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_response("Malformed request"),
    401: _problem_response("Missing, unknown or revoked credentials"),
    403: _problem_response("The credentials lack the scope this operation needs"),
    404: _problem_response("No such resource for this tenant"),
    409: _problem_response("Conflicts with an existing resource"),
    413: _problem_response("Request body too large"),
    415: _problem_response("Unsupported media type"),
    422: _problem_response("The request is not valid; `errors` lists every field"),
    429: _problem_response("Rate limit exceeded; see Retry-After"),
    503: _problem_response("Busy or a dependency is unavailable; try again after Retry-After"),
}
# PostgreSQL classes that say the server, not the request, is in trouble: connection (08), operator
# intervention such as a restart (57P), insufficient resources (53).
UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P", "53")


class ProblemError(DomainError):
    """A domain error that knows its HTTP status and problem type."""

    status = 400
    problem_type = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **extensions: Any):
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(ProblemError):
    status, problem_type, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, problem_type, title = 409, "conflict", "Conflict"


class Unauthorized(ProblemError):
    status, problem_type, title = 401, "unauthorized", "Unauthorized"


class Unprocessable(ProblemError):
    status, problem_type, title = 422, "unprocessable", "Unprocessable request"


class InvalidRequest(ProblemError):
    """422 in the validation shape every route shares: errors=[{pointer, detail}], never the values."""

    status, problem_type, title = 422, "validation", "The request is not valid"


class MalformedBody(ProblemError):
    status, problem_type, title = 400, "malformed-body", "Malformed body"


class UnsupportedMediaType(ProblemError):
    status, problem_type, title = 415, "unsupported-media-type", "Unsupported media type"


class PayloadTooLarge(ProblemError):
    status, problem_type, title = 413, "payload-too-large", "Payload too large"


def problem(status: int, problem_type: str, title: str, detail: str, instance: str | None = None,
            **extensions: Any) -> JSONResponse:
    """Build a problem+json response."""
    body: dict[str, Any] = {"type": PROBLEM_BASE + problem_type, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extensions)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def service_unavailable(detail: str, instance: str | None, retry_after_seconds: int = 1) -> JSONResponse:
    """503 problem+json with Retry-After: the caller did nothing wrong and may simply try again."""
    response = problem(503, "service-unavailable", "Service unavailable", detail, instance,
                       retry_after_seconds=retry_after_seconds)
    response.headers["Retry-After"] = str(retry_after_seconds)
    return response


def json_pointer(location: tuple[Any, ...] | list[Any]) -> str:
    """Pydantic error location as an RFC 6901 pointer into the request body."""
    parts = list(location)
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each pydantic error as {pointer, detail}, without the offending value."""
    listed = []
    for error in errors:
        location = [p for p in error.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-after"))]
        message = error.get("msg", "invalid")
        if error.get("type") == "extra_forbidden":
            message = "unknown field"
        listed.append({"pointer": json_pointer(location), "detail": message})
    return listed


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error leave the service as problem+json."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = validation_errors(list(error.errors()))
        return problem(422, "validation", "The request is not valid",
                       f"{len(errors)} field(s) failed validation", request.url.path, errors=errors)

    @app.exception_handler(ProblemError)
    async def _domain(request: Request, error: ProblemError) -> JSONResponse:
        return problem(error.status, error.problem_type, error.title, error.detail, request.url.path,
                       **error.extensions)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Payload too large", 415: "Unsupported media type"}
        return problem(error.status_code, f"http-{error.status_code}", titles.get(error.status_code, "HTTP error"),
                       str(error.detail), request.url.path)

    @app.exception_handler(TransactionContention)
    async def _contention(request: Request, error: TransactionContention) -> JSONResponse:
        return service_unavailable("the request lost to concurrent ones on the same records; try again",
                                   request.url.path, error.retry_after_seconds)

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, _error: PoolTimeout) -> JSONResponse:
        return service_unavailable("every database connection of this process is busy; try again", request.url.path)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, error: DBAPIError) -> JSONResponse:
        # Never str(error): a driver message can carry statement parameters, which may be PHI.
        sqlstate = sqlstate_of(error) or ""
        if is_contention(error):
            return service_unavailable("the request lost to concurrent ones on the same records; try again",
                                       request.url.path)
        if error.connection_invalidated or sqlstate.startswith(UNAVAILABLE_SQLSTATE_PREFIXES):
            return service_unavailable("the database is unavailable; try again", request.url.path, 2)
        return problem(500, "internal", "Internal error", "the service failed; the trace id is in the logs",
                       request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        return problem(500, "internal", "Internal error", "the service failed; the trace id is in the logs",
                       request.url.path)
