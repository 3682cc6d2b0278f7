"""Who may use the console: the holder of ADMIN_TOKEN, as a Bearer token (API) or a session cookie (pages).

The cookie holds an HMAC of the token, not the token: rotating ADMIN_TOKEN signs everyone out.
It is HttpOnly and SameSite=Strict, so another site cannot make a browser post a replay with it.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from shared.http.problems import Unauthorized

COOKIE = "console_session"


def session_value(admin_token: str) -> str:
    return hmac.new(admin_token.encode(), b"claimline-console-session", hashlib.sha256).hexdigest()


def token_matches(admin_token: str, offered: str) -> bool:
    return bool(admin_token) and hmac.compare_digest(offered.encode(), admin_token.encode())


def signed_in(request: Request) -> bool:
    """The request carries the session cookie or the admin Bearer token."""
    admin_token = request.app.state.settings.admin_token
    if not admin_token:
        return False
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(admin_token, token.strip()):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return hmac.compare_digest(cookie.encode(), session_value(admin_token).encode())


async def administrator(request: Request) -> None:
    """Dependency for the JSON API."""
    if not signed_in(request):
        raise Unauthorized("send Authorization: Bearer <admin token>")
