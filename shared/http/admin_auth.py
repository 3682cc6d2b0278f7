"""The operators' credential: `Authorization: Bearer <ADMIN_TOKEN>` on a service's /v1/admin routes."""

from __future__ import annotations

import hmac

from fastapi import Request

from shared.http.problems import Unauthorized


async def require_admin_token(request: Request) -> None:
    """FastAPI dependency: the request carries the service's ADMIN_TOKEN (compared in constant time); 401
    otherwise, and always when the service has none (its admin routes are then disabled)."""
    expected = request.app.state.runtime.settings.admin_token
    if not expected:
        raise Unauthorized("the admin API is disabled: this service has no ADMIN_TOKEN")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("send Authorization: Bearer <admin token>")
