"""OAuth2 token endpoint (RFC 6749 section 4.4, client credentials).

Errors are problem+json documents that also carry RFC 6749's `error` and `error_description`
members, so OAuth client libraries and our problem readers both understand them.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse

from services.intake.domain.access import InvalidClient, InvalidScope, InvalidTokenRequest, UnsupportedGrantType
from services.intake.service_layer.access import issue_access_token
from shared.db import transaction_attempts
from shared.http.access import OAUTH_CLIENT
from shared.http.problems import ProblemError, problem

router = APIRouter(prefix="/v1/oauth", tags=["oauth"])
FORM = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 4096

_OAUTH_ERRORS: dict[type[Exception], tuple[int, str]] = {
    InvalidClient: (401, "invalid_client"),
    InvalidScope: (400, "invalid_scope"),
    UnsupportedGrantType: (400, "unsupported_grant_type"),
    InvalidTokenRequest: (400, "invalid_request"),
}


def _form(content_type: str, body: bytes) -> dict[str, str]:
    if content_type.split(";")[0].strip().lower() != FORM:
        raise InvalidTokenRequest(f"send the token request as {FORM}")
    if len(body) > MAX_FORM_BYTES:
        raise InvalidTokenRequest("the token request is too large")
    try:
        fields = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise InvalidTokenRequest("the token request must be URL-encoded ASCII") from None
    repeated = sorted(name for name, values in fields.items() if len(values) > 1)
    if repeated:
        raise InvalidTokenRequest(f"parameters given more than once: {', '.join(repeated)}")
    return {name: values[0] for name, values in fields.items()}


def _client_credentials(authorization: str, form: dict[str, str]) -> tuple[str, str]:
    """(client_id, client_secret) from HTTP Basic (RFC 6749 2.3.1) or the form, never both."""
    scheme, _, encoded = authorization.partition(" ")
    in_form = "client_id" in form or "client_secret" in form
    if scheme.lower() == "basic":
        if in_form:
            raise InvalidTokenRequest("authenticate the client one way only: Basic or form, not both")
        try:
            user, colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidClient("the Basic credentials are malformed") from None
        if not colon:
            raise InvalidClient("the Basic credentials are malformed")
        return unquote_plus(user), unquote_plus(password)
    if not form.get("client_id") or not form.get("client_secret"):
        raise InvalidClient("authenticate the client with HTTP Basic or client_id and client_secret")
    return form["client_id"], form["client_secret"]


_TOKEN_REQUEST = {"requestBody": {"required": True, "content": {FORM: {"schema": {
    "type": "object", "required": ["grant_type"], "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "scope": {"type": "string", "description": "space-separated, e.g. `encounters:write claims:read`"},
        "client_id": {"type": "string", "description": "unless sent by HTTP Basic"},
        "client_secret": {"type": "string", "description": "unless sent by HTTP Basic"}}}}}}}


class SigningKeyRetired(ProblemError):
    status, problem_type, title = 503, "signing-key-retired", "Token signing key retired"


@router.post("/token", summary="Exchange client credentials for a 15-minute access token",
             openapi_extra=_TOKEN_REQUEST, dependencies=[Security(OAUTH_CLIENT)])
async def token(request: Request) -> JSONResponse:
    signing_key = request.app.state.signing_key
    if request.app.state.runtime.key_ring.is_retired(signing_key.kid):
        # A token nobody would accept is worse than none: the operator must give intake a new key.
        raise SigningKeyRetired("this intake's token signing key was retired; it needs a new OAUTH_SIGNING_KEY")
    try:
        form = _form(request.headers.get("content-type", ""), await request.body())
        grant_type = form.get("grant_type")
        if not grant_type:
            raise InvalidTokenRequest("grant_type is required")
        if grant_type != "client_credentials":
            raise UnsupportedGrantType("only grant_type=client_credentials is supported")
        client_id, client_secret = _client_credentials(request.headers.get("authorization", ""), form)
        runtime = request.app.state.runtime
        async for attempt in transaction_attempts(runtime.sessions):
            async with attempt as session:
                access_token, claims = await issue_access_token(
                    session, signing_key, client_id, client_secret, form.get("scope"),
                    runtime.settings.access_token_ttl_seconds)
    except tuple(_OAUTH_ERRORS) as error:
        status, code = _OAUTH_ERRORS[type(error)]
        response = problem(status, f"oauth-{code.replace('_', '-')}", "Token request refused", str(error),
                           request.url.path, error=code, error_description=str(error))
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="claimline"'
        response.headers["Cache-Control"] = "no-store"
        return response
    return JSONResponse(
        {"access_token": access_token, "token_type": "Bearer",
         "expires_in": runtime.settings.access_token_ttl_seconds, "scope": " ".join(sorted(claims.scopes))},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
