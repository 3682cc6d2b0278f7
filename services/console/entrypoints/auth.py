"""Who may use the console: the holder of ADMIN_TOKEN, as a Bearer token (API) or a signed-in session (pages).

Signing in with the token opens a session (services/console/domain/sessions.py): its cookie holds a
random session token, never the admin token; it is HttpOnly, SameSite=Strict (another site cannot
make a browser post a replay with it), Secure unless CONSOLE_SECURE_COOKIE=false (only for plain
HTTP on a developer's machine), and ends at sign-out, after CONSOLE_SESSION_SECONDS, or after
CONSOLE_IDLE_SECONDS without a request. Failed sign-ins are throttled per client address.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from shared.http.problems import Unauthorized

COOKIE = "console_session"


def token_matches(admin_token: str, offered: str) -> bool:
    return bool(admin_token) and hmac.compare_digest(offered.encode(), admin_token.encode())


def signed_in(request: Request) -> bool:
    """The request carries the admin Bearer token or the cookie of a live session."""
    admin_token = request.app.state.settings.admin_token
    if not admin_token:
        return False
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(admin_token, token.strip()):
        return True
    return bool(request.app.state.sessions.touch(request.cookies.get(COOKIE, "")))


def client_of(request: Request) -> str:
    """Whom the sign-in throttle counts: the client's address (behind a proxy, the proxy's, so stricter)."""
    return request.client.host if request.client else "unknown"


async def administrator(request: Request) -> None:
    """Dependency for the JSON API."""
    if not signed_in(request):
        raise Unauthorized("send Authorization: Bearer <admin token>")
